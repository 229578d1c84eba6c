import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { waitFor as pollUntil } from '@connectors/framework/testing';

/** The built CLI (tests of the service run against the build, like users do). */
export const CLI = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Output of a finished CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to completion (bounded by `timeoutMs`). */
export function runCli(
  args: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const child = startCli(args, options);
  return waitForExit(child, options.timeoutMs ?? 60_000);
}

/** A CLI process still running, with its output so far. */
export interface RunningCli {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
}

/** Starts the CLI in the background. */
export function startCli(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv } = {},
): RunningCli & { done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['--no-warnings', CLI, ...args], {
    env: { ...process.env, NODE_ENV: 'test', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const done = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err }));
  });
  return { child, stdout: () => out, stderr: () => err, done };
}

function waitForExit(
  running: RunningCli & { done: Promise<CliResult> },
  timeoutMs: number,
): Promise<CliResult> {
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  return running.done.finally(() => clearTimeout(timer));
}

/** Polls `check` until it returns a value (not undefined/false) or the time runs out (every 100 ms). */
export function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  stepMs = 100,
): Promise<T> {
  return pollUntil(check, { timeoutMs, stepMs });
}

/** A temporary folder with a config.yml written from `config`. */
export async function tempConfig(
  config: Record<string, unknown>,
): Promise<{ dir: string; file: string; [Symbol.asyncDispose](): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'connectors-test-'));
  const file = path.join(dir, 'config.yml');
  await writeFile(file, stringify(config));
  return { dir, file, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
}
