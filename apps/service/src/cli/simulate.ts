import { once } from 'node:events';
import { parseSize, simulators } from '../simulators.js';
import { EXIT } from './exit-codes.js';

/** `connectors simulate <source>`: runs a simulated tenant until SIGINT/SIGTERM. */
export async function simulateCommand(
  sourceId: string,
  options: { size: string; seed: string; port: number; faults: number; latencyMs: number },
): Promise<number> {
  const factory = simulators[sourceId];
  if (!factory) {
    process.stderr.write(
      `error: no simulator for '${sourceId}' (available: ${Object.keys(simulators).join(', ')})\n`,
    );
    return EXIT.usage;
  }
  if (!(options.faults >= 0 && options.faults <= 1)) {
    process.stderr.write(`error: --faults must be between 0 and 1, got ${options.faults}\n`);
    return EXIT.usage;
  }
  const seed = Number.parseInt(options.seed, 10);
  if (!Number.isInteger(seed)) {
    process.stderr.write(`error: --seed must be an integer, got '${options.seed}'\n`);
    return EXIT.usage;
  }
  const simulator = await factory({
    seed,
    size: parseSize(options.size),
    port: options.port,
    faults: options.faults,
    latencyMs: options.latencyMs,
  });
  process.stdout.write(
    `${JSON.stringify({ source: sourceId, url: simulator.url, seed, size: options.size, config: simulator.configFor() })}\n`,
  );
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await simulator.close();
  return EXIT.ok;
}
