// Starts es-fake in a child process, so a benchmark's peak RSS is its own and not the fake's.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A fake Elasticsearch running in its own process. */
export interface EsFakeProcess {
  /** Base URL, e.g. `http://127.0.0.1:53124`. */
  readonly url: string;
  readonly pid: number;
  /** The fake process's peak resident set so far (Linux `VmHWM`), in MB; `undefined` elsewhere. */
  peakRssMb(): number | undefined;
  /** CPU seconds (user + system) the fake process used so far (Linux `/proc`); `undefined` elsewhere. */
  cpuSeconds(): number | undefined;
  /** Stops the fake (SIGTERM, then SIGKILL after 5 s) and waits for its exit. */
  close(): Promise<void>;
}

/** Path of the built es-fake CLI (`@connectors/es-fake`'s `dist/bin/es-fake.js`). */
function esFakeBin(): string {
  const entry = fileURLToPath(import.meta.resolve('@connectors/es-fake'));
  return join(dirname(entry), 'bin', 'es-fake.js');
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `es-fake --port 0` and resolves with the URL it prints on its first stdout line. */
export async function startEsFakeProcess(timeoutMs = 30_000): Promise<EsFakeProcess> {
  const child = spawn(process.execPath, [esFakeBin(), '--port', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`es-fake did not print its URL within ${timeoutMs} ms`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const line = out.split('\n', 1)[0];
      if (out.includes('\n') && line !== undefined) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        const match = /listening on (http:\/\/\S+)/.exec(line);
        if (match?.[1]) resolve(match[1]);
        else reject(new Error(`es-fake printed an unexpected first line: ${line}`));
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`es-fake exited with code ${code} before printing its URL`));
    });
  });
  const pid = child.pid ?? -1;
  return {
    url,
    pid,
    peakRssMb() {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return match?.[1] ? Math.round((Number(match[1]) / 1024) * 10) / 10 : undefined;
      } catch {
        return undefined;
      }
    },
    cpuSeconds() {
      return processCpuSeconds(pid);
    },
    async close() {
      const exited = waitForExit(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU seconds (user + system) of a process, from `/proc/<pid>/stat` (clock ticks of 1/100 s). */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
