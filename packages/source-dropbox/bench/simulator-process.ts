// Runs the Dropbox simulator in a child process (so its CPU and memory are not the measured sync's) and
// drives it over the IPC channel: call counts, 1% mutations, its peak RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createDropboxSimulator, type DropboxSimulatorOptions } from '../src/simulator/index.js';
import type { SimItem, SimTenant } from '../src/simulator/index.js';

/** What {@link mutateTenant} changed. */
export interface MutationSummary {
  readonly modified: number;
  readonly added: number;
  readonly deleted: number;
}

/** Tenant facts the benchmarks report. */
export interface TenantStats {
  readonly files: number;
  readonly folders: number;
  readonly received: number;
}

type Request =
  | { id: number; op: 'calls' }
  | { id: number; op: 'resetCalls' }
  | { id: number; op: 'stats' }
  | { id: number; op: 'mutate'; changes: number };

/**
 * Changes `changes` files of the tenant straight through its model (O(1) per change, unlike the admin's
 * path lookups): half modified, a quarter added (in existing folders), a quarter deleted, spread evenly.
 */
export function mutateTenant(tenant: SimTenant, changes: number): MutationSummary {
  const files: SimItem[] = [];
  const folders: SimItem[] = [];
  for (const item of tenant.items.values()) {
    if (item.kind === 'file') files.push(item);
    else if (!item.homeOf) folders.push(item);
  }
  const modify = Math.floor(changes / 2);
  const remove = Math.floor(changes / 4);
  const add = changes - modify - remove;
  const stride = Math.max(1, Math.floor(files.length / (modify + remove)));
  let modified = 0;
  let deleted = 0;
  for (let i = 0; i < modify + remove; i += 1) {
    const file = files[(i * stride) % files.length];
    if (!file) continue;
    if (i % 3 === 2 && deleted < remove) {
      tenant.deleteItem(file.id);
      deleted += 1;
    } else if (modified < modify) {
      tenant.modifyFile(file.id);
      modified += 1;
    } else {
      tenant.deleteItem(file.id);
      deleted += 1;
    }
  }
  for (let i = 0; i < add; i += 1) {
    const folder = folders[(i * 7919) % folders.length];
    tenant.addFile(`bench added ${i}.txt`, folder?.id ?? null, 500);
  }
  return { modified, added: add, deleted };
}

/** Child side: starts the simulator, announces it, and answers requests until the parent disconnects. */
export async function serveSimulator(options: DropboxSimulatorOptions): Promise<void> {
  const sim = await createDropboxSimulator(options);
  const send = (message: unknown): void => void process.send?.(message);
  process.on('message', (message: Request) => {
    try {
      let result: unknown;
      if (message.op === 'calls') result = sim.callCounts();
      else if (message.op === 'resetCalls') result = sim.resetCallCounts();
      else if (message.op === 'mutate') result = mutateTenant(sim.admin.tenant, message.changes);
      else {
        let files = 0;
        let folders = 0;
        for (const item of sim.admin.tenant.items.values()) {
          if (item.kind === 'file') files += 1;
          else folders += 1;
        }
        result = { files, folders, received: sim.admin.tenant.received.length } satisfies TenantStats;
      }
      send({ id: message.id, result: result ?? null });
    } catch (error) {
      send({ id: message.id, error: (error as Error).message });
    }
  });
  process.once('disconnect', () => void sim.close().then(() => process.exit(0)));
  send({ ready: true, config: sim.configFor() });
}

/** Parent side of a simulator child process. */
export interface SimulatorProcess {
  /** Config values pointing the Dropbox source at the simulator. */
  readonly config: Record<string, unknown>;
  /** API calls per route since the start or the last reset. */
  calls(): Promise<Record<string, number>>;
  resetCalls(): Promise<void>;
  stats(): Promise<TenantStats>;
  mutate(changes: number): Promise<MutationSummary>;
  /** The child's peak RSS so far (Linux `VmHWM`), in MB. */
  peakRssMb(): number | undefined;
  /** CPU seconds (user + system) the child used so far (Linux `/proc`). */
  cpuSeconds(): number | undefined;
  close(): Promise<void>;
}

/**
 * Starts `serveSimulator(options)` in a child Node process. `moduleUrl` is the (bundled) module that
 * exports `serveSimulator` (the bench file itself).
 */
export async function startSimulatorProcess(
  moduleUrl: string,
  options: DropboxSimulatorOptions,
  timeoutMs = 120_000,
): Promise<SimulatorProcess> {
  const code =
    `const m = await import(${JSON.stringify(moduleUrl)});` +
    `await m.serveSimulator(${JSON.stringify(options)});`;
  const child: ChildProcess = spawn(process.execPath, ['--no-warnings', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const config = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the simulator did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited with ${exitCode} before it was ready`));
    });
    child.on('message', (message: { ready?: boolean; config?: Record<string, unknown> }) => {
      if (message.ready && message.config) {
        clearTimeout(timer);
        resolve(message.config);
      }
    });
  });
  child.once('exit', (exitCode) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`the simulator exited with ${exitCode}`));
    pending.clear();
  });
  child.on('message', (message: { id?: number; result?: unknown; error?: string }) => {
    if (message.id === undefined) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiter?.reject(new Error(`simulator: ${message.error}`));
    else waiter?.resolve(message.result);
  });
  const request = <T>(op: Request['op'], extra: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, op, ...extra });
    });
  return {
    config,
    calls: () => request<Record<string, number>>('calls'),
    resetCalls: () => request<void>('resetCalls'),
    stats: () => request<TenantStats>('stats'),
    mutate: (changes) => request<MutationSummary>('mutate', { changes }),
    peakRssMb() {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return match?.[1] ? Math.round((Number(match[1]) / 1024) * 10) / 10 : undefined;
      } catch {
        return undefined;
      }
    },
    cpuSeconds() {
      try {
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return undefined;
      }
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Sum of the per-route call counts. */
export function totalCalls(calls: Record<string, number>): number {
  return Object.values(calls).reduce((a, b) => a + b, 0);
}
