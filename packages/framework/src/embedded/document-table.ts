import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { JsonObject, JsonValue } from '../document/json.js';
import type {
  BatchOutcome,
  ExistingDocument,
  IndexKind,
  SinkItemFailure,
  SinkOperation,
} from '../sink/sink.js';
import { toAccessList, toDocumentText } from './document-text.js';
import { findJsonProblem } from './find-json-problem.js';
import { immediateTransaction } from './immediate-transaction.mjs';
import { mergeDocument } from './merge-document.js';
import {
  executePreparedBatch,
  prepareWriteStatements,
  writePreparedRows,
  type PreparedBatch,
  type WriteStatements,
} from './store-batch.mjs';
import { toFtsQuery, type SearchOperator } from './to-fts-query.js';

/** Longest document id Elasticsearch accepts (UTF-8 bytes). */
const MAX_ID_BYTES = 512;
/** Relative weight of the title column against the body in BM25 ranking. */
const TITLE_WEIGHT = 4;
const BODY_WEIGHT = 1;

/** One search hit. */
export interface EmbeddedSearchHit {
  readonly id: string;
  /** BM25 relevance (higher is better); 1 for every hit of an empty query. */
  readonly score: number;
  readonly source: JsonObject;
  /** Matched fragments with `<em>` marks, per text column (`title`, `body`), like Elasticsearch's highlight. */
  readonly highlight?: Readonly<Record<string, string[]>>;
}

/** A page of search results. */
export interface EmbeddedSearchResult {
  /** Number of visible documents matching the query. */
  readonly total: number;
  readonly hits: readonly EmbeddedSearchHit[];
}

/** A logical index of the store. */
export interface EmbeddedIndexInfo {
  readonly name: string;
  readonly kind: IndexKind;
  readonly createdAt: string;
  readonly count: number;
}

/** One row for the bare bulk-insert path. */
export interface EmbeddedDocumentRow {
  readonly id: string;
  readonly document: Readonly<Record<string, JsonValue>>;
}

/** A batch validated and serialized for {@link executePreparedBatch}, with what was refused and its volume. */
export interface PreparedWrite {
  readonly batch: PreparedBatch;
  readonly failures: SinkItemFailure[];
  /** UTF-8 bytes of the documents to index. */
  readonly volumeBytes: number;
}

/** Parameters of {@link DocumentTable.search}. */
export interface DocumentQuery {
  readonly indexName: string;
  readonly text: string;
  /** Principals the reader holds; undefined = no DLS filter (administrator view). */
  readonly principals: readonly string[] | undefined;
  readonly limit: number;
  readonly offset: number;
  readonly operator: SearchOperator;
}

type Prepared = {
  indexKind: StatementSync;
  listIndices: StatementSync;
  selectSource: StatementSync;
  existingFirst: StatementSync;
  existingAfter: StatementSync;
  count: StatementSync;
  dropFts: StatementSync;
  dropDocs: StatementSync;
  dropIndex: StatementSync;
};

function idProblem(id: unknown): string | undefined {
  if (typeof id !== 'string' || id === '') return 'the document id must be a non-empty string';
  if (Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES)
    return `the document id is longer than ${MAX_ID_BYTES} bytes`;
  return undefined;
}

const DLS_CLAUSE = `($principals IS NULL OR d.acl IS NULL OR EXISTS (
  SELECT 1 FROM json_each(d.acl) AS a WHERE a.value IN (SELECT value FROM json_each($principals))))`;

/**
 * Documents of every logical index in one SQLite table (keyed by `(index, id)`) plus an FTS5 table of their
 * text. Statements are prepared once and reused; every batch is one transaction.
 */
/** True when a batch has `update` operations, which are merged into stored documents (see `apply`). */
export function hasUpdates(operations: readonly SinkOperation[]): boolean {
  return operations.some((operation) => operation.op === 'update');
}

export class DocumentTable {
  readonly #db: DatabaseSync;
  readonly #sql: Prepared;
  readonly #writes: WriteStatements;
  readonly #searchStatements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#writes = prepareWriteStatements(db);
    this.#sql = {
      indexKind: db.prepare(`SELECT kind FROM indices WHERE name = ?`),
      listIndices: db.prepare(
        `SELECT i.name, i.kind, i.created_at AS createdAt,
           (SELECT count(*) FROM documents AS d WHERE d.index_name = i.name) AS count
         FROM indices AS i ORDER BY i.name`,
      ),
      selectSource: db.prepare(`SELECT source FROM documents WHERE index_name = ? AND id = ?`),
      existingFirst: db.prepare(
        `SELECT id, timestamp, json_extract(source, '$._fingerprint') AS fingerprint FROM documents
         WHERE index_name = ? ORDER BY id LIMIT ?`,
      ),
      existingAfter: db.prepare(
        `SELECT id, timestamp, json_extract(source, '$._fingerprint') AS fingerprint FROM documents
         WHERE index_name = ? AND id > ? ORDER BY id LIMIT ?`,
      ),
      count: db.prepare(`SELECT count(*) AS n FROM documents WHERE index_name = ?`),
      dropFts: db.prepare(
        `DELETE FROM documents_fts WHERE rowid IN (SELECT rid FROM documents WHERE index_name = ?)`,
      ),
      dropDocs: db.prepare(`DELETE FROM documents WHERE index_name = ?`),
      dropIndex: db.prepare(`DELETE FROM indices WHERE name = ?`),
    };
  }

  /** Registers `name` (no-op when it exists) and returns its kind. */
  ensureIndex(name: string, kind: IndexKind): IndexKind {
    this.#writes.ensureIndex.run(name, kind, new Date().toISOString());
    return this.indexKind(name) ?? kind;
  }

  /** The kind of an existing index, undefined when there is no such index. */
  indexKind(name: string): IndexKind | undefined {
    const row = this.#sql.indexKind.get(name) as { kind: IndexKind } | undefined;
    return row?.kind;
  }

  /** Every index with its document count. */
  listIndices(): EmbeddedIndexInfo[] {
    return (this.#sql.listIndices.all() as unknown as EmbeddedIndexInfo[]).map((row) => ({ ...row }));
  }

  /**
   * Validates and serializes a batch for {@link executePreparedBatch}, on this thread: invalid items (bad id,
   * not JSON-serialisable) become failures. An `update` becomes the write of the document with the patch
   * merged in (`doc_as_upsert`): the one an earlier operation of the batch left, else `readStored(id)`.
   * A batch with updates is therefore prepared inside its transaction (see {@link apply}); without
   * `readStored` an update is a programming error.
   */
  prepare(
    indexName: string,
    kind: IndexKind,
    operations: readonly SinkOperation[],
    readStored?: (id: string) => JsonObject | undefined,
  ): PreparedWrite {
    const failures: SinkItemFailure[] = [];
    const ids: string[] = [];
    const sources: (string | null)[] = [];
    const timestamps: (string | null)[] = [];
    const acls: (string | null)[] = [];
    const titles: string[] = [];
    const bodies: string[] = [];
    const fullText = kind === 'content';
    let volumeBytes = 0;
    // What the batch has written so far, for updates that follow a write of the same id (null = deleted).
    const written = new Map<string, Readonly<Record<string, unknown>> | null>();
    for (const operation of operations) {
      if (operation.op === 'update' && !readStored)
        throw new Error('DocumentTable.prepare: a batch with updates needs readStored (use apply)');
      const problem = idProblem(operation.id) ?? validateBody(operation);
      if (problem !== undefined) {
        failures.push({ id: String(operation.id), op: operation.op, reason: problem, status: 400 });
        continue;
      }
      ids.push(operation.id);
      if (operation.op === 'delete') {
        if (readStored) written.set(operation.id, null);
        sources.push(null);
        timestamps.push(null);
        acls.push(null);
        titles.push('');
        bodies.push('');
        continue;
      }
      let source: Readonly<Record<string, unknown>> = operation.document;
      if (operation.op === 'update') {
        const base = written.has(operation.id) ? written.get(operation.id) : readStored?.(operation.id);
        if (base) source = mergeDocument(base as JsonObject, operation.document);
      }
      if (readStored) written.set(operation.id, source);
      const json =
        operation.op === 'index' && operation.json !== undefined ? operation.json : JSON.stringify(source);
      const timestamp = source['_timestamp'];
      const acl = toAccessList(source);
      const text = fullText ? toDocumentText(source) : { title: '', body: '' };
      sources.push(json);
      timestamps.push(typeof timestamp === 'string' ? timestamp : null);
      acls.push(acl === null ? null : JSON.stringify(acl));
      titles.push(text.title);
      bodies.push(text.body);
      volumeBytes += Buffer.byteLength(json, 'utf8');
    }
    const batch: PreparedBatch = {
      indexName,
      kind,
      createdAt: new Date().toISOString(),
      ids,
      sources,
      timestamps,
      acls,
      titles,
      bodies,
    };
    return { batch, failures, volumeBytes };
  }

  /** Writes a prepared batch in one transaction on this thread. */
  applyPrepared(prepared: PreparedWrite): BatchOutcome {
    const { indexed, deleted } = executePreparedBatch(this.#db, this.#writes, prepared.batch);
    return { indexed, deleted, volumeBytes: prepared.volumeBytes, failures: prepared.failures };
  }

  /**
   * Applies a batch in ONE transaction (all or nothing). Invalid items (bad id, not JSON-serialisable) are
   * reported as failures and skipped; an SQLite error rolls the whole batch back and is thrown.
   */
  apply(indexName: string, kind: IndexKind, operations: readonly SinkOperation[]): BatchOutcome {
    if (!hasUpdates(operations)) return this.applyPrepared(this.prepare(indexName, kind, operations));
    // Updates merge into the stored document: read, merge and write in the same transaction.
    return immediateTransaction(this.#db, () => {
      const merged = this.prepare(indexName, kind, operations, (id) => this.get(indexName, id));
      const { indexed, deleted } = writePreparedRows(this.#writes, merged.batch);
      return { indexed, deleted, volumeBytes: merged.volumeBytes, failures: merged.failures };
    });
  }

  /** Bare bulk insert (replace) of `rows` in one transaction: the benchmark's and the writer's common path. */
  put(indexName: string, rows: Iterable<EmbeddedDocumentRow>): BatchOutcome {
    const operations: SinkOperation[] = [];
    for (const row of rows) operations.push({ op: 'index', id: row.id, document: row.document });
    return this.apply(indexName, this.indexKind(indexName) ?? 'content', operations);
  }

  /** One page of `(id, _timestamp, _fingerprint)` after `afterId` in id order (keyset pagination). */
  existingPage(indexName: string, afterId: string | undefined, pageSize: number): ExistingDocument[] {
    const rows = (
      afterId === undefined
        ? this.#sql.existingFirst.all(indexName, pageSize)
        : this.#sql.existingAfter.all(indexName, afterId, pageSize)
    ) as { id: string; timestamp: string | null; fingerprint: string | null }[];
    return rows.map((row) =>
      row.fingerprint === null
        ? { id: row.id, timestamp: row.timestamp ?? undefined }
        : { id: row.id, timestamp: row.timestamp ?? undefined, fingerprint: row.fingerprint },
    );
  }

  /** Number of documents in the index. */
  count(indexName: string): number {
    return (this.#sql.count.get(indexName) as { n: number }).n;
  }

  /** The stored `_source` of one document. */
  get(indexName: string, id: string): JsonObject | undefined {
    const row = this.#sql.selectSource.get(indexName, id) as { source: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.source) as JsonObject);
  }

  /** Removes an index and all its documents; true when it existed. */
  drop(indexName: string): boolean {
    return immediateTransaction(this.#db, () => {
      this.#sql.dropFts.run(indexName);
      this.#sql.dropDocs.run(indexName);
      return Number(this.#sql.dropIndex.run(indexName).changes) > 0;
    });
  }

  /**
   * Full-text search with BM25 ranking and the DLS visibility rule: a document is visible when it has no
   * `_allow_access_control` or shares a value with `principals`. Ranking statistics are shared by all
   * indices of the file (one FTS table), which only shifts scores, never visibility.
   */
  search(query: DocumentQuery): EmbeddedSearchResult {
    const match = toFtsQuery(query.text, query.operator);
    const params = {
      index: query.indexName,
      principals: query.principals === undefined ? null : JSON.stringify(query.principals),
      limit: query.limit,
      offset: query.offset,
      ...(match === undefined ? {} : { match }),
    };
    if (match === undefined) {
      const total = (
        this.#statement(
          `SELECT count(*) AS n FROM documents AS d WHERE d.index_name = $index AND ${DLS_CLAUSE}`,
        ).get(withoutPaging(params)) as { n: number }
      ).n;
      const rows = this.#statement(
        `SELECT d.id, d.source FROM documents AS d WHERE d.index_name = $index AND ${DLS_CLAUSE}
         ORDER BY d.id LIMIT $limit OFFSET $offset`,
      ).all(params) as { id: string; source: string }[];
      return {
        total,
        hits: rows.map((row) => ({ id: row.id, score: 1, source: JSON.parse(row.source) as JsonObject })),
      };
    }
    const from = `FROM documents_fts CROSS JOIN documents AS d ON d.rid = documents_fts.rowid
      WHERE documents_fts MATCH $match AND d.index_name = $index AND ${DLS_CLAUSE}`;
    const total = (
      this.#statement(`SELECT count(*) AS n ${from}`).get(withoutPaging(params)) as { n: number }
    ).n;
    const rank = `bm25(documents_fts, ${TITLE_WEIGHT}, ${BODY_WEIGHT})`;
    const rows = this.#statement(
      `SELECT d.id, d.source, ${rank} AS rank,
         highlight(documents_fts, 0, '<em>', '</em>') AS title,
         snippet(documents_fts, 1, '<em>', '</em>', '…', 24) AS body
       ${from} ORDER BY ${rank}, d.id LIMIT $limit OFFSET $offset`,
    ).all(params) as { id: string; source: string; rank: number; title: string; body: string }[];
    return {
      total,
      hits: rows.map((row) => {
        const highlight: Record<string, string[]> = {};
        if (row.title.includes('<em>')) highlight['title'] = [row.title];
        if (row.body.includes('<em>')) highlight['body'] = [row.body];
        return {
          id: row.id,
          score: -row.rank,
          source: JSON.parse(row.source) as JsonObject,
          ...(Object.keys(highlight).length > 0 ? { highlight } : {}),
        };
      }),
    };
  }

  #statement(sql: string): StatementSync {
    let statement = this.#searchStatements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#searchStatements.set(sql, statement);
    }
    return statement;
  }
}

function withoutPaging<T extends { limit: number; offset: number }>(params: T): Omit<T, 'limit' | 'offset'> {
  const { limit: _limit, offset: _offset, ...rest } = params;
  return rest;
}

function validateBody(operation: SinkOperation): string | undefined {
  const op: unknown = operation.op;
  if (op !== 'index' && op !== 'update' && op !== 'delete') {
    return `unknown operation ${JSON.stringify(op)} (expected index, update or delete)`;
  }
  if (operation.op === 'delete') return undefined;
  const document: unknown = operation.document;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return 'the document must be a JSON object';
  }
  return findJsonProblem(document);
}
