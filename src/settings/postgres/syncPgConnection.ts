import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { SqlParam, SqlRunResult, SyncDatabase, SyncStatement } from '../syncDatabase.js';

/** How the bridge reaches PostgreSQL and how long it waits. */
export interface PgBridgeOptions {
  url: string;
  /** Server-side limit on one statement (PostgreSQL's statement_timeout). */
  statementTimeoutMs?: number;
  /** Limit on opening a connection. */
  connectTimeoutMs?: number;
}

/** A statement PostgreSQL refused or could not run; `code` is its SQLSTATE (or a Node error code). */
export class PgQueryError extends Error {
  /** SQLSTATE or Node error code, when known. */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'PgQueryError';
    this.code = code;
  }
}

interface Reply {
  id: number;
  rows?: unknown[];
  rowCount?: number;
  error?: { message: string; code?: string };
}

/** Any key for pg_advisory_xact_lock, the same in every process: the settings' one write lock. */
const WRITE_LOCK_KEY = 0x5e77_1265;

/**
 * A pg pool in a worker thread, asked synchronously: the caller posts a statement and sleeps on a shared counter
 * (Atomics.wait) until the worker answers. The store's reads are cached, so only writes and first reads wait.
 */
export class PgBridge {
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #counter: Int32Array;
  readonly #waitMs: number;
  #nextId = 1;
  #nextConn = 1;
  #open = true;
  /** Why the worker stopped, once it has (seen the next time the event loop runs). */
  #stopped: string | undefined;

  constructor(options: PgBridgeOptions) {
    const statementTimeoutMs = options.statementTimeoutMs ?? 5_000;
    const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    // Connecting and then running a statement, with a margin: past this the server is not answering at all.
    this.#waitMs = statementTimeoutMs + connectTimeoutMs + 2_000;
    const signal = new SharedArrayBuffer(4);
    this.#counter = new Int32Array(signal);
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    this.#worker = new Worker(new URL('./pgWorker.mjs', import.meta.url), {
      workerData: { url: options.url, statementTimeoutMs, connectTimeoutMs, signal, port: port2, writeLockKey: WRITE_LOCK_KEY },
      transferList: [port2],
    });
    this.#worker.unref();
    // A worker that is gone would make every later statement wait its full timeout: fail them at once instead.
    this.#worker.on('error', (err) => (this.#stopped ??= err.message));
    this.#worker.on('exit', (code) => (this.#stopped ??= `exit code ${code}`));
  }

  /** A connection of its own (its own transaction), sharing the pool. */
  connection(): SyncPgConnection {
    return new SyncPgConnection(this, this.#nextConn++);
  }

  /** Runs one statement (`$n` placeholders) and waits for its rows. */
  query(conn: number, sql: string, params: readonly SqlParam[] = []): { rows: unknown[]; rowCount: number } {
    if (!this.#open) throw new PgQueryError('the PostgreSQL connection is closed');
    if (this.#stopped) throw new PgQueryError(`the PostgreSQL worker stopped (${this.#stopped})`);
    const reply = this.#ask({ conn, sql, params: params.map((p) => (typeof p === 'bigint' ? p.toString() : p)) });
    if (reply.error) throw new PgQueryError(reply.error.message, reply.error.code);
    return { rows: reply.rows ?? [], rowCount: reply.rowCount ?? 0 };
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Ends the pool and the worker. */
  close(): void {
    if (!this.#open) return;
    try {
      this.#ask({ op: 'end' });
    } catch {
      // The pool could not end cleanly (server gone); terminating the worker closes its sockets anyway.
    }
    this.#open = false;
    void this.#worker.terminate();
  }

  #ask(request: Record<string, unknown>): Reply {
    const id = this.#nextId++;
    let seen = Atomics.load(this.#counter, 0);
    this.#port.postMessage({ ...request, id });
    const deadline = Date.now() + this.#waitMs;
    for (;;) {
      // Answers to requests that timed out earlier arrive late: skip them.
      for (let message = receiveMessageOnPort(this.#port); message; message = receiveMessageOnPort(this.#port)) {
        const reply = message.message as Reply;
        if (reply.id === id) return reply;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new PgQueryError(`PostgreSQL did not answer within ${this.#waitMs} ms`, 'ETIMEDOUT');
      Atomics.wait(this.#counter, 0, seen, left);
      seen = Atomics.load(this.#counter, 0);
    }
  }
}

/** One logical connection through the bridge, shaped like node:sqlite's DatabaseSync for the stores. */
export class SyncPgConnection implements SyncDatabase {
  constructor(
    private readonly bridge: PgBridge,
    private readonly id: number,
  ) {}

  prepare(sql: string): SyncStatement {
    const text = numberPlaceholders(sql);
    const run = (params: SqlParam[]) => this.bridge.query(this.id, text, params);
    return {
      all: (...params) => run(params).rows,
      get: (...params) => run(params).rows[0],
      run: (...params): SqlRunResult => ({ changes: run(params).rowCount }),
    };
  }

  exec(sql: string): void {
    this.bridge.query(this.id, sql.trim());
  }

  get isOpen(): boolean {
    return this.bridge.isOpen;
  }

  /** Closes the bridge under it (every connection of the store shares one). */
  close(): void {
    this.bridge.close();
  }
}

/** Turns `?` placeholders into PostgreSQL's `$1, $2, …` (the stores' SQL has no `?` inside string literals). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
