// The embedded store's writer thread: applies prepared document batches on its own SQLite connection to the
// store file, so the sync's event loop keeps serving downloads and the control plane while SQLite writes.
// One batch at a time, in the order received; each answer says what was written or why nothing was.
import { parentPort, workerData } from 'node:worker_threads';
import { applyConnectionPragmas, executePreparedBatch, prepareWriteStatements } from './store-batch.mjs';

// A worker prints its own warnings: node:sqlite's "experimental" notice once per store would be noise on
// the operator's terminal (the main thread filters it the same way). Every other warning still shows.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'ExperimentalWarning' && /SQLite/i.test(warning.message)) return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});
// Imported after the filter is in place (a static import would warn before it).
const { DatabaseSync } = await import('node:sqlite');

const { path, busyTimeoutMs, synchronous } =
  /** @type {{ path: string, busyTimeoutMs: number, synchronous: string }} */ (workerData);

/** @type {import('node:sqlite').DatabaseSync | undefined} */
let db;
/** @type {ReturnType<typeof prepareWriteStatements> | undefined} */
let sql;

function open() {
  if (db) return;
  const connection = new DatabaseSync(path);
  try {
    connection.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    applyConnectionPragmas(connection, synchronous === 'full' ? 'full' : 'normal');
    sql = prepareWriteStatements(connection);
    db = connection;
  } catch (error) {
    connection.close();
    throw error;
  }
}

/** What the main thread needs to rebuild the error (node:sqlite puts the SQLite codes on the error). */
function describe(error) {
  const e = /** @type {Record<string, unknown>} */ (
    error instanceof Error ? error : { message: String(error) }
  );
  return {
    message: String(e['message'] ?? 'unknown error'),
    name: typeof e['name'] === 'string' ? e['name'] : 'Error',
    code: typeof e['code'] === 'string' ? e['code'] : undefined,
    errcode: typeof e['errcode'] === 'number' ? e['errcode'] : undefined,
    errstr: typeof e['errstr'] === 'string' ? e['errstr'] : undefined,
  };
}

parentPort?.on('message', (message) => {
  if (message.close) {
    if (db?.isOpen) db.close();
    db = undefined;
    parentPort?.close();
    return;
  }
  try {
    open();
    const outcome = executePreparedBatch(
      /** @type {import('node:sqlite').DatabaseSync} */ (db),
      /** @type {any} */ (sql),
      message.batch,
    );
    parentPort?.postMessage({ seq: message.seq, ok: true, ...outcome });
  } catch (error) {
    parentPort?.postMessage({ seq: message.seq, ok: false, error: describe(error) });
  }
});
