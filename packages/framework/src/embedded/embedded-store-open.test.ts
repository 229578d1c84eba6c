import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SinkError } from '../errors/sink-error.js';
import { openEmbeddedStore } from './embedded-store.js';
import { createTempDir } from './fixtures/temp-store.js';
import { STORE_SCHEMA_VERSION } from './store-schema.js';

const signal = new AbortController().signal;

describe('openEmbeddedStore', () => {
  it('creates missing folders and a WAL-mode file at the current schema version', async () => {
    using dir = createTempDir();
    const file = join(dir.path, 'nested', 'deeper', 'store.db');

    const store = await openEmbeddedStore(file);
    await store.close();

    const raw = new DatabaseSync(file);
    expect(raw.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
    expect(raw.prepare('SELECT max(version) AS v FROM store_schema').get()).toEqual({
      v: STORE_SCHEMA_VERSION,
    });
    raw.close();
  });

  it('refuses a store written by a newer schema with STORE_CORRUPT', async () => {
    using dir = createTempDir();
    const file = join(dir.path, 'store.db');
    await (await openEmbeddedStore(file)).close();
    const raw = new DatabaseSync(file);
    raw.prepare('INSERT INTO store_schema (version, applied_at) VALUES (?, ?)').run(99, 'later');
    raw.close();

    await expect(openEmbeddedStore(file)).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      message: expect.stringContaining('has schema version 99, newer than this release understands'),
    });
  });

  it('fails a write blocked by another connection with a retryable SinkError once the busy timeout passes', async () => {
    using dir = createTempDir();
    const file = join(dir.path, 'store.db');
    const store = await openEmbeddedStore(file, { busyTimeoutMs: 50 });
    const writer = await store.openIndex({ indexName: 'search-a', kind: 'content', signal });
    const other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE');

    const error: unknown = await writer
      .write([{ op: 'index', id: '1', document: { t: 'x' } }], signal)
      .catch((e: unknown) => e);

    expect(SinkError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      retryable: true,
      message: expect.stringContaining('is locked by another process'),
    });
    other.exec('ROLLBACK');
    await expect(
      writer.write([{ op: 'index', id: '1', document: { t: 'x' } }], signal),
    ).resolves.toMatchObject({
      indexed: 1,
    });
    other.close();
    await store.close();
  });

  it('rejects an empty path with a ConfigError', async () => {
    await expect(openEmbeddedStore('')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      issues: ['path: must be a non-empty file path'],
    });
  });
});
