#!/usr/bin/env node
// `pnpm bench`: runs every benchmark scenario and prints one JSON object per scenario on stdout.
//
// A scenario is an exported async function named `bench*` in `packages/*/bench/*.bench.{mjs,ts}` or
// `apps/*/bench/*.bench.{mjs,ts}`; it returns `{ name, docs, seconds, docsPerSec, ...fields }`. Each scenario
// runs in its own Node.js process so `peakRssMb` (the process's maximum resident set) is its own.
// TypeScript bench files are bundled with esbuild first (workspace packages resolve to their built `dist`).
//
// Usage: pnpm bench [--filter SUBSTRING] [--list]
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// node:sqlite's experimental notice is noise here (the JSON lines are the output).
process.removeAllListeners('warning');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

if (args[0] === '--child') {
  const [, file, exportName] = args;
  const module = await import(pathToFileURL(file).href);
  const result = await module[exportName]();
  const results = Array.isArray(result) ? result : [result];
  const peakRssMb = Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
  for (const entry of results) process.stdout.write(`${JSON.stringify({ peakRssMb, ...entry })}\n`);
  process.exit(0);
}

const filterIndex = args.indexOf('--filter');
const filter = filterIndex >= 0 ? args[filterIndex + 1] : undefined;

function benchFiles() {
  const files = [];
  for (const group of ['packages', 'apps', 'examples']) {
    const groupDir = path.join(root, group);
    if (!existsSync(groupDir)) continue;
    for (const pkg of readdirSync(groupDir)) {
      const dir = path.join(groupDir, pkg, 'bench');
      if (!existsSync(dir)) continue;
      for (const name of readdirSync(dir).sort()) {
        if (/\.bench\.(mjs|ts)$/.test(name)) files.push(path.join(dir, name));
      }
    }
  }
  return files;
}

async function toRunnable(file) {
  if (file.endsWith('.mjs')) return file;
  const { build } = await import('esbuild');
  const outDir = path.join(path.dirname(file), '.bench-build');
  await mkdir(outDir, { recursive: true });
  const outfile = path.join(outDir, path.basename(file).replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [file],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  return outfile;
}

function runChild(file, exportName) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', fileURLToPath(import.meta.url), '--child', file, exportName],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        cwd: root,
      },
    );
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', (code) => resolve({ code, out }));
  });
}

let failures = 0;
for (const file of benchFiles()) {
  const runnable = await toRunnable(file);
  const module = await import(pathToFileURL(runnable).href);
  for (const exportName of Object.keys(module).filter((name) => name.startsWith('bench'))) {
    const label = `${path.relative(root, file)}#${exportName}`;
    if (filter && !label.includes(filter)) continue;
    if (args.includes('--list')) {
      process.stdout.write(`${label}\n`);
      continue;
    }
    const { code, out } = await runChild(runnable, exportName);
    if (code !== 0) {
      failures += 1;
      process.stdout.write(`${JSON.stringify({ name: label, error: `exited with code ${code}` })}\n`);
    } else {
      process.stdout.write(out);
    }
  }
}
process.exit(failures > 0 ? 1 : 0);
