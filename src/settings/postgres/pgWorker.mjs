// The PostgreSQL side of syncPgConnection.ts, in a worker thread: a pg pool that answers one request at a time while
// the main thread waits on a shared counter. Plain JavaScript so it runs the same under node, tsx and vitest.
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';

// int8 (counts, ids, millisecond times) as numbers: every value the store keeps is far below 2^53.
pg.types.setTypeParser(20, (text) => Number(text));

const { url, statementTimeoutMs, connectTimeoutMs, signal, port, writeLockKey } = workerData;
const counter = new Int32Array(signal);
const pool = new pg.Pool({
  connectionString: url,
  max: 4,
  idleTimeoutMillis: 30_000,
  connectionTimeoutMillis: connectTimeoutMs,
  statement_timeout: statementTimeoutMs,
  application_name: 'speech-bot',
});
// An idle client whose server went away (restart, pg_terminate_backend): the pool drops it and connects anew later.
pool.on('error', () => {});

/** Clients holding an open transaction, by connection id. */
const transactions = new Map();

const LOST = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE']);
const lost = (err) => LOST.has(err?.code) || /Connection terminated|connection timeout/i.test(String(err?.message));

async function once(request) {
  const { conn, sql, params } = request;
  if (sql === 'BEGIN IMMEDIATE' || sql === 'BEGIN') {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // Like SQLite's BEGIN IMMEDIATE: one writer at a time across every process sharing the database.
      if (sql === 'BEGIN IMMEDIATE') await client.query('SELECT pg_advisory_xact_lock($1)', [writeLockKey]);
    } catch (err) {
      client.release(err);
      throw err;
    }
    transactions.set(conn, client);
    return { rows: [], rowCount: 0 };
  }
  const tx = transactions.get(conn);
  if (sql === 'COMMIT' || sql === 'ROLLBACK') {
    if (!tx) {
      if (sql === 'COMMIT') throw Object.assign(new Error('COMMIT without a transaction'), { code: '25P01' });
      return { rows: [], rowCount: 0 };
    }
    transactions.delete(conn);
    try {
      await tx.query(sql);
      tx.release();
    } catch (err) {
      tx.release(err);
      throw err;
    }
    return { rows: [], rowCount: 0 };
  }
  if (tx) {
    try {
      return await tx.query(sql, params);
    } catch (err) {
      if (lost(err)) {
        transactions.delete(conn);
        tx.release(err);
      }
      throw err;
    }
  }
  return pool.query(sql, params);
}

async function answer(request) {
  if (request.op === 'end') {
    for (const client of transactions.values()) client.release(new Error('closing'));
    transactions.clear();
    await pool.end();
    return { rows: [], rowCount: 0 };
  }
  const inTransaction = transactions.has(request.conn);
  try {
    return await once(request);
  } catch (err) {
    // Outside a transaction, a statement that met a connection the server had closed is tried once more on a new one.
    if (lost(err) && !inTransaction && request.sql !== 'COMMIT') return once(request);
    throw err;
  }
}

port.on('message', async (request) => {
  let reply;
  try {
    const result = await answer(request);
    reply = { id: request.id, rows: result.rows ?? [], rowCount: result.rowCount ?? 0 };
  } catch (err) {
    reply = { id: request.id, error: { message: String(err?.message ?? err), code: err?.code } };
  }
  port.postMessage(reply);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
});
parentPort?.postMessage('ready');
