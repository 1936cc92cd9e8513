/** A value bound to a statement parameter. */
export type SqlParam = string | number | bigint | null;

/** What running a statement changed. */
export interface SqlRunResult {
  changes: number | bigint;
}

/** A prepared statement: the part of node:sqlite's StatementSync the stores use. */
export interface SyncStatement {
  all(...params: SqlParam[]): unknown[];
  get(...params: SqlParam[]): unknown;
  run(...params: SqlParam[]): SqlRunResult;
}

/**
 * A synchronous SQL connection: the part of node:sqlite's DatabaseSync the stores use. SQLite's DatabaseSync is one;
 * postgres/syncPgConnection.ts is the other (statements written with `?` placeholders and SQL both dialects accept).
 */
export interface SyncDatabase {
  prepare(sql: string): SyncStatement;
  /** Runs statements without results; `BEGIN IMMEDIATE` starts a write transaction that excludes other writers. */
  exec(sql: string): void;
  readonly isOpen: boolean;
  close(): void;
}
