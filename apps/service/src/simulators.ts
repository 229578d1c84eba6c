import { createDropboxSimulator } from '@connectors/source-dropbox/simulator';

/** A running simulated tenant, as the CLI needs it. */
export interface RunningSimulator {
  readonly url: string;
  /** Config values pointing the source at the simulator. */
  configFor(options?: { tokenKind?: 'team' | 'user' }): Record<string, unknown>;
  /** Applies a few changes (add, modify, delete) so an incremental sync has something to do; returns a summary. */
  mutate(): Promise<string>;
  /** A principal that exists in the tenant, for a DLS search. */
  someUser(): string | undefined;
  callCounts(): Record<string, number>;
  close(): Promise<void>;
}

/** Options every simulator takes. */
export interface SimulatorOptions {
  readonly seed: number;
  readonly size: 'small' | 'medium' | 'large' | number;
  readonly port?: number;
  readonly faults?: number;
  readonly latencyMs?: number;
}

/** Simulators by source id. */
export const simulators: Readonly<Record<string, (options: SimulatorOptions) => Promise<RunningSimulator>>> =
  {
    async dropbox(options) {
      const simulator = await createDropboxSimulator({
        seed: options.seed,
        size: options.size,
        port: options.port,
        faults: options.faults,
        latencyMs: options.latencyMs,
      });
      return {
        url: simulator.url,
        configFor: (o) => simulator.configFor(o),
        async mutate() {
          const admin = simulator.admin;
          const files = [...admin.tenant.items.values()]
            .filter(
              (item) => item.kind === 'file' && !item.name.endsWith('.paper') && item.name.endsWith('.txt'),
            )
            .map((item) => ({ pathDisplay: admin.tenant.pathOf(item.id) }));
          const modified = files[0];
          const deleted = files[1];
          admin.addFile('', `demo-added-${Date.now()}.txt`, 'A file added by the connectors demo.');
          if (modified) admin.modifyFile(modified.pathDisplay, 'Modified by the connectors demo.');
          if (deleted) admin.deleteItem(deleted.pathDisplay);
          return `1 file added, ${modified ? 1 : 0} modified, ${deleted ? 1 : 0} deleted`;
        },
        someUser() {
          return simulator.admin.tenant.members.find((m) => m.status === 'active' && !m.isAdmin)?.email;
        },
        callCounts: () => simulator.callCounts(),
        close: () => simulator.close(),
      };
    },
  };

/** Parses `--size`: small, medium, large or a number of files. */
export function parseSize(value: string): SimulatorOptions['size'] {
  if (value === 'small' || value === 'medium' || value === 'large') return value;
  const n = Number.parseInt(value, 10);
  if (!Number.isInteger(n) || n <= 0 || String(n) !== value.trim()) {
    throw new RangeError(`--size must be small, medium, large or a positive number, got '${value}'`);
  }
  return n;
}
