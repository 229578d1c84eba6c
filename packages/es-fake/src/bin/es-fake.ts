#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createEsFake } from '../server.js';

const USAGE = `Usage: es-fake [--port 9200] [--host 127.0.0.1] [--api-key id:key]... [--user name:pass]... [--version 8.17.0] [--license platinum] [--seed n]`;

function pairs(values: readonly string[] | undefined, flag: string): [string, string][] {
  return (values ?? []).map((v) => {
    const i = v.indexOf(':');
    if (i <= 0 || i === v.length - 1) throw new Error(`${flag} expects <name>:<secret> (both non-empty)`);
    return [v.slice(0, i), v.slice(i + 1)];
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9200' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string', multiple: true },
      user: { type: 'string', multiple: true },
      version: { type: 'string' },
      license: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be an integer in 0..65535, got "${values.port}"`);
  const apiKeys = Object.fromEntries(pairs(values['api-key'], '--api-key').map(([id, key]) => [id, { key }]));
  const users = Object.fromEntries(pairs(values.user, '--user'));
  const es = await createEsFake({
    port,
    host: values.host,
    auth: { apiKeys, users },
    ...(values.version !== undefined ? { version: values.version } : {}),
    ...(values.license !== undefined ? { licenseType: values.license } : {}),
    ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
  });
  console.log(
    `es-fake: in-memory Elasticsearch test double (keeps nothing in durable storage; all data is lost on exit) listening on ${es.url}`,
  );
  const stop = (): void => {
    void es.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`es-fake: ${(err as Error).message}\n${USAGE}`);
  process.exit(1);
});
