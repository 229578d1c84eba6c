import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import type { SinkOperation } from '../sink/sink.js';
import { createTempStore } from './fixtures/temp-store.js';

const signal = new AbortController().signal;

describe('EmbeddedIndexWriter', () => {
  it('indexes, replaces, merges and deletes documents in batches', async () => {
    await using temp = await createTempStore();
    const writer = await temp.store.openIndex({ indexName: 'search-docs', kind: 'content', signal });

    const first = await writer.write(
      [
        { op: 'index', id: 'a', document: { title: 'Alpha', tags: ['x'], meta: { size: 1, owner: 'ann' } } },
        { op: 'index', id: 'b', document: { title: 'Beta' } },
        { op: 'index', id: 'c', document: { title: 'Gamma' } },
      ],
      signal,
    );
    expect(first).toEqual({
      indexed: 3,
      deleted: 0,
      volumeBytes:
        Buffer.byteLength(JSON.stringify({ title: 'Alpha', tags: ['x'], meta: { size: 1, owner: 'ann' } })) +
        Buffer.byteLength(JSON.stringify({ title: 'Beta' })) +
        Buffer.byteLength(JSON.stringify({ title: 'Gamma' })),
      failures: [],
    });

    const second = await writer.write(
      [
        { op: 'index', id: 'b', document: { title: 'Beta v2' } },
        { op: 'update', id: 'a', document: { tags: ['y', 'z'], meta: { size: 2 } } },
        { op: 'update', id: 'd', document: { title: 'Delta' } },
        { op: 'delete', id: 'c' },
        { op: 'delete', id: 'never-existed' },
      ],
      signal,
    );
    expect(second.indexed).toBe(3);
    expect(second.deleted).toBe(2);
    expect(second.failures).toEqual([]);

    expect(await temp.store.getDocument('search-docs', 'a')).toEqual({
      title: 'Alpha',
      tags: ['y', 'z'],
      meta: { size: 2, owner: 'ann' },
    });
    expect(await temp.store.getDocument('search-docs', 'b')).toEqual({ title: 'Beta v2' });
    expect(await temp.store.getDocument('search-docs', 'c')).toBeUndefined();
    expect(await temp.store.getDocument('search-docs', 'd')).toEqual({ title: 'Delta' });
    expect(await writer.count(signal)).toBe(3);
  });

  it('merges an update into what an earlier operation of the same batch wrote', async () => {
    await using temp = await createTempStore();
    const writer = await temp.store.openIndex({ indexName: 'search-merge', kind: 'content', signal });
    await writer.write([{ op: 'index', id: 'w', document: { title: 'stored', keep: true } }], signal);
    const outcome = await writer.write(
      [
        { op: 'index', id: 'z', document: { title: 'Zed', meta: { a: 1 } } },
        { op: 'update', id: 'z', document: { meta: { b: 2 } } },
        { op: 'delete', id: 'w' },
        { op: 'update', id: 'w', document: { title: 'again' } },
      ],
      signal,
    );
    expect(outcome).toMatchObject({ indexed: 3, deleted: 1, failures: [] });
    expect(await temp.store.getDocument('search-merge', 'z')).toEqual({ title: 'Zed', meta: { a: 1, b: 2 } });
    // Deleted earlier in the batch: the update starts from nothing (doc_as_upsert), not from the stored row.
    expect(await temp.store.getDocument('search-merge', 'w')).toEqual({ title: 'again' });
    expect((await temp.store.search('search-merge', 'zed')).hits.map((hit) => hit.id)).toEqual(['z']);
  });

  it('reports invalid items as failures and still commits the valid ones', async () => {
    await using temp = await createTempStore();
    const writer = await temp.store.openIndex({ indexName: 'search-docs', kind: 'content', signal });
    const operations = [
      { op: 'index', id: 'ok', document: { title: 'fine' } },
      { op: 'index', id: 'nan', document: { size: Number.NaN } },
      { op: 'index', id: 'big', document: { size: 10n } },
      { op: 'index', id: '', document: { title: 'no id' } },
      { op: 'index', id: 'x'.repeat(513), document: { title: 'long id' } },
      { op: 'create', id: 'odd', document: { title: 'unknown op' } },
    ] as unknown as SinkOperation[];

    const outcome = await writer.write(operations, signal);

    expect(outcome.indexed).toBe(1);
    expect(outcome.failures.map((failure) => [failure.id, failure.reason, failure.status])).toEqual([
      ['nan', 'field "size" is not a finite number', 400],
      ['big', 'field "size" is a bigint, not JSON', 400],
      ['', 'the document id must be a non-empty string', 400],
      ['x'.repeat(513), 'the document id is longer than 512 bytes', 400],
      ['odd', 'unknown operation "create" (expected index, update or delete)', 400],
    ]);
    expect(await writer.count(signal)).toBe(1);
  });

  it('keeps indices apart', async () => {
    await using temp = await createTempStore();
    const one = await temp.store.openIndex({ indexName: 'one', kind: 'content', signal });
    const two = await temp.store.openIndex({ indexName: 'two', kind: 'content', signal });
    await one.write([{ op: 'index', id: 'same', document: { v: 1 } }], signal);
    await two.write([{ op: 'index', id: 'same', document: { v: 2 } }], signal);
    await one.write([{ op: 'delete', id: 'same' }], signal);

    expect(await one.count(signal)).toBe(0);
    expect(await temp.store.getDocument('two', 'same')).toEqual({ v: 2 });
    expect(await temp.store.listIndices()).toEqual([
      expect.objectContaining({ name: 'one', kind: 'content', count: 0 }),
      expect.objectContaining({ name: 'two', kind: 'content', count: 1 }),
    ]);
  });

  it('deletes an index with its documents and full text, leaving the others', async () => {
    await using temp = await createTempStore();
    await temp.store.putDocuments('doomed', [{ id: 'a', document: { title: 'needle' } }]);
    await temp.store.putDocuments('kept', [{ id: 'a', document: { title: 'needle' } }]);

    expect(await temp.store.deleteIndex('doomed')).toBe(true);
    expect(await temp.store.deleteIndex('doomed')).toBe(false);

    expect((await temp.store.listIndices()).map((index) => index.name)).toEqual(['kept']);
    expect(await temp.store.getDocument('doomed', 'a')).toBeUndefined();
    await expect(temp.store.search('doomed', 'needle')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await temp.store.search('kept', 'needle')).hits.map((hit) => hit.id)).toEqual(['a']);
    const raw = new DatabaseSync(temp.file, { readOnly: true });
    expect(raw.prepare('SELECT count(*) AS n FROM documents_fts').get()).toEqual({ n: 1 });
    raw.close();
  });

  it('streams 10,000 existing ids in id order with their timestamps', async () => {
    await using temp = await createTempStore();
    const writer = await temp.store.openIndex({ indexName: 'big', kind: 'content', signal });
    const ids = Array.from(
      { length: 10_000 },
      (_, i) => `doc-${String((i * 7919) % 10_000).padStart(5, '0')}`,
    );
    for (let start = 0; start < ids.length; start += 1000) {
      await writer.write(
        ids.slice(start, start + 1000).map((id) => ({
          op: 'index' as const,
          id,
          document: { _timestamp: `ts-${id}`, title: id },
        })),
        signal,
      );
    }

    const seen: { id: string; timestamp: string | undefined }[] = [];
    for await (const document of writer.existing(signal)) seen.push(document);

    const expected = [...ids].sort();
    expect(seen.map((document) => document.id)).toEqual(expected);
    expect(seen[0]).toEqual({ id: 'doc-00000', timestamp: 'ts-doc-00000' });
    expect(seen[9999]).toEqual({ id: 'doc-09999', timestamp: 'ts-doc-09999' });
  });

  it('returns undefined timestamps for documents without _timestamp', async () => {
    await using temp = await createTempStore();
    const outcome = await temp.store.putDocuments('bare', [{ id: 'a', document: { title: 'no marker' } }]);
    expect(outcome.indexed).toBe(1);
    const writer = await temp.store.openIndex({ indexName: 'bare', kind: 'content', signal });
    const seen = [];
    for await (const document of writer.existing(signal)) seen.push(document);
    expect(seen).toEqual([{ id: 'a', timestamp: undefined }]);
  });

  it('rejects a write with an aborted signal and writes nothing', async () => {
    await using temp = await createTempStore();
    const writer = await temp.store.openIndex({ indexName: 'search-docs', kind: 'content', signal });
    const aborted = AbortSignal.abort('stop');
    await expect(writer.write([{ op: 'index', id: 'a', document: {} }], aborted)).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(await writer.count(signal)).toBe(0);
  });

  it('fails with a clear error once the store is closed', async () => {
    await using temp = await createTempStore();
    const writer = await temp.store.openIndex({ indexName: 'search-docs', kind: 'content', signal });
    await temp.store.close();
    await expect(writer.count(signal)).rejects.toMatchObject({
      code: 'SINK_FAILED',
      message: expect.stringContaining('is closed; open the store again'),
    });
  });
});
