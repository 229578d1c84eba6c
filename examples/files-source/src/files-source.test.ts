import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  noopLogger,
  parseConfig,
  registerSecrets,
  systemClock,
  type ListingEvent,
  type SourceContext,
} from '@connectors/framework';
import { filesSource } from './files-source.js';

let root: string;
const context: SourceContext = {
  logger: noopLogger,
  fetch: globalThis.fetch,
  clock: systemClock,
  signal: new AbortController().signal,
  maxFileSize: 10 * 1024 * 1024,
  registerSecrets,
};

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'files-source-'));
  await mkdir(path.join(root, 'a/b'), { recursive: true });
  await writeFile(path.join(root, 'a/b/deep.md'), '# deep');
  await writeFile(path.join(root, 'a/one.txt'), 'one');
  await writeFile(path.join(root, 'z.txt'), 'zed');
  await writeFile(path.join(root, '.hidden'), 'secret');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function collect(events: AsyncIterable<ListingEvent>): Promise<ListingEvent[]> {
  const out: ListingEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('filesSource', () => {
  it('lists every visible file in sorted order with checkpoints', async () => {
    const config = parseConfig(filesSource.configuration, { root, page_size: 2 });
    const instance = await filesSource.create(config, context);
    const events = await collect(instance.listAll({ signal: new AbortController().signal }));
    expect(
      events.map((e) =>
        e.kind === 'upsert'
          ? e.document._id
          : `${e.kind}:${JSON.stringify(e.kind === 'checkpoint' ? e.checkpoint : '')}`,
      ),
    ).toEqual(['a/b/deep.md', 'a/one.txt', 'checkpoint:"a/one.txt"', 'z.txt']);
  });

  it('resumes after a checkpoint without repeating files', async () => {
    const instance = await filesSource.create(parseConfig(filesSource.configuration, { root }), context);
    const events = await collect(
      instance.listAll({ signal: new AbortController().signal, checkpoint: 'a/one.txt' }),
    );
    expect(
      events.filter((e) => e.kind === 'upsert').map((e) => (e.kind === 'upsert' ? e.document._id : '')),
    ).toEqual(['z.txt']);
  });

  it('fails the connection check with a clear message when the folder is missing', async () => {
    const instance = await filesSource.create(
      parseConfig(filesSource.configuration, { root: path.join(root, 'nope') }),
      context,
    );
    await expect(instance.check(new AbortController().signal)).rejects.toThrow(
      /Root folder not found.*is not a readable folder/,
    );
  });

  it('downloads content lazily', async () => {
    const instance = await filesSource.create(
      parseConfig(filesSource.configuration, { root, extensions: 'txt' }),
      context,
    );
    const events = await collect(instance.listAll({ signal: new AbortController().signal }));
    const first = events.find((e) => e.kind === 'upsert');
    if (first?.kind !== 'upsert' || !first.content) throw new Error('expected content');
    const chunks: Uint8Array[] = [];
    const body = await first.content.download(new AbortController().signal);
    for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(chunk);
    expect(Buffer.concat(chunks).toString()).toBe('one');
  });
});
