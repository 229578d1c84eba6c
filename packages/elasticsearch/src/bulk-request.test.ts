import { describe, expect, it } from 'vitest';
import { chunkBulkItems, toBulkItems } from './bulk-request.js';

describe('toBulkItems', () => {
  it('serializes index, update (doc_as_upsert) and delete lines for the index', () => {
    const { items } = toBulkItems(
      'idx',
      [
        { op: 'index', id: 'a', document: { title: 'A' } },
        { op: 'update', id: 'b', document: { title: 'B' } },
        { op: 'delete', id: 'c' },
      ],
      { maxDocumentBytes: 0 },
    );
    expect(items.map((item) => item.lines)).toEqual([
      '{"index":{"_index":"idx","_id":"a"}}\n{"title":"A"}\n',
      '{"update":{"_index":"idx","_id":"b"}}\n{"doc":{"title":"B"},"doc_as_upsert":true}\n',
      '{"delete":{"_index":"idx","_id":"c"}}\n',
    ]);
    expect(items[0]?.documentBytes).toBe(Buffer.byteLength('{"title":"A"}'));
    expect(items[2]?.documentBytes).toBe(0);
  });

  it('adds the pipeline flags unless the document sets them', () => {
    const { items } = toBulkItems(
      'idx',
      [{ op: 'index', id: 'a', document: { _reduce_whitespace: false } }],
      {
        maxDocumentBytes: 0,
        flags: { _extract_binary_content: true, _reduce_whitespace: true, _run_ml_inference: false },
      },
    );
    const payload = JSON.parse(items[0]?.lines.split('\n')[1] ?? '{}') as Record<string, unknown>;
    expect(payload).toEqual({
      _extract_binary_content: true,
      _reduce_whitespace: false,
      _run_ml_inference: false,
    });
  });

  it('writes the JSON the engine handed over when it already carries the flags, and sizes items exactly', () => {
    const flags = { _extract_binary_content: true, _reduce_whitespace: true, _run_ml_inference: false };
    const withFlags = { title: 'Ünïcode "quoted"', ...flags };
    const { items } = toBulkItems(
      'idx',
      [
        // A marker in the handed-over JSON shows which text was written.
        { op: 'index', id: 'a', document: withFlags, json: '{"handed":"over"}' },
        // Without the flags the document is serialized again with them, whatever `json` says.
        { op: 'index', id: 'b', document: { title: 'B' }, json: '{"title":"B"}' },
        { op: 'update', id: 'c', document: withFlags },
      ],
      { maxDocumentBytes: 0, flags },
    );
    expect(items[0]?.lines).toBe('{"index":{"_index":"idx","_id":"a"}}\n{"handed":"over"}\n');
    expect(JSON.parse(items[1]?.lines.split('\n')[1] ?? '{}')).toEqual({ title: 'B', ...flags });
    expect(items[2]?.lines).toBe(
      `{"update":{"_index":"idx","_id":"c"}}\n{"doc":${JSON.stringify(withFlags)},"doc_as_upsert":true}\n`,
    );
    for (const item of items) expect(item.bytes).toBe(Buffer.byteLength(item.lines));
  });

  it('escapes ids and index names in the action line as JSON does', () => {
    const id = 'a"b\\c\u0001é';
    const { items } = toBulkItems('idx', [{ op: 'delete', id }], { maxDocumentBytes: 0 });
    expect(items[0]?.lines).toBe(`${JSON.stringify({ delete: { _index: 'idx', _id: id } })}\n`);
  });

  it('drops documents over the cap with a reason, but keeps attachments and deletes', () => {
    const big = 'x'.repeat(200);
    const { items, dropped } = toBulkItems(
      'idx',
      [
        { op: 'index', id: 'big', document: { body: big } },
        { op: 'index', id: 'file', document: { _attachment: big } },
        { op: 'delete', id: 'gone' },
      ],
      { maxDocumentBytes: 100 },
    );
    expect(items.map((item) => item.id)).toEqual(['file', 'gone']);
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ id: 'big', op: 'index' });
    expect(dropped[0]?.reason).toContain(
      'exceed the 100-byte cap (elasticsearch.bulk.max_text_document_size)',
    );
  });
});

describe('chunkBulkItems', () => {
  const item = (id: string, bytes: number) => ({
    op: 'delete' as const,
    id,
    lines: '',
    bytes,
    documentBytes: 0,
  });

  it('splits by operation count', () => {
    const chunks = chunkBulkItems([item('a', 1), item('b', 1), item('c', 1)], {
      maxOperations: 2,
      maxBytes: 1000,
    });
    expect(chunks.map((chunk) => chunk.map((i) => i.id))).toEqual([['a', 'b'], ['c']]);
  });

  it('splits by bytes and sends an oversized item alone', () => {
    const chunks = chunkBulkItems([item('a', 40), item('b', 40), item('huge', 500), item('c', 10)], {
      maxOperations: 10,
      maxBytes: 100,
    });
    expect(chunks.map((chunk) => chunk.map((i) => i.id))).toEqual([['a', 'b'], ['huge'], ['c']]);
  });
});
