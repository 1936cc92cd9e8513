import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import { SettingsOpenError } from '../database.js';
import type { Migration } from '../migrations.js';
import { CachedSettingsStore } from '../cachedStore.js';
import type { SettingsStore } from '../types.js';
import { PgChangePublisher, newOrigin, startChangeListener, type ChangeListener } from './changeFeed.js';
import { PG_MIGRATIONS } from './migrations.js';
import { PgBridge, type SyncPgConnection } from './syncPgConnection.js';

/** Where and how to open the PostgreSQL store. */
export interface PostgresSettingsOptions {
  /** postgres://user:password@host:port/database (DATABASE_URL). */
  url: string;
  tts: Pick<Config['tts'], 'voices' | 'models'>;
  logger: Logger;
  statementTimeoutMs?: number;
  connectTimeoutMs?: number;
  memberCacheSize?: number;
  migrations?: readonly Migration[];
  /** Listen for other processes' writes and drop what they made stale (default true). */
  changeFeed?: boolean;
}

/** The PostgreSQL store, with its change listener. */
export interface PostgresSettingsStore extends SettingsStore {
  /** Resolves once this process listens for other processes' changes (undefined without a change feed). */
  readonly feed: ChangeListener | undefined;
}

/**
 * Opens the settings store on PostgreSQL: migrates forward (one process at a time, under the write lock), then serves
 * the same cached store as SQLite. Throws SettingsOpenError naming the server (never the password).
 */
export function openPostgresSettings(options: PostgresSettingsOptions): PostgresSettingsStore {
  const where = describeUrl(options.url);
  const bridge = new PgBridge({
    url: options.url,
    ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
  });
  const db = bridge.connection();
  try {
    migrate(db, where, options.migrations ?? PG_MIGRATIONS);
  } catch (err) {
    bridge.close();
    if (err instanceof SettingsOpenError) throw err;
    throw new SettingsOpenError(where, `Settings database ${where} cannot be used: ${(err as Error).message}. Check DATABASE_URL and that the server is running.`, err);
  }
  const origin = newOrigin();
  let feed: ChangeListener | undefined;
  // Usage counters get their own connection, as with SQLite, so their transactions never wait on a settings write.
  const store = new CachedSettingsStore(
    db,
    { ...options, changes: new PgChangePublisher(db, origin), onClose: () => void feed?.stop() },
    bridge.connection(),
  );
  if (options.changeFeed !== false) {
    feed = startChangeListener({
      url: options.url,
      origin,
      logger: options.logger,
      onChange: (change) => store.forget(change),
      onReset: () => store.forgetAll(),
    });
  }
  return Object.assign(store, { feed });
}

/** host:port/database of a connection URL, for messages and logs (no user, no password). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
  } catch {
    return 'the PostgreSQL server in DATABASE_URL';
  }
}

function migrate(db: SyncPgConnection, where: string, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  // The write lock keeps two processes starting together from migrating at once.
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const current = Number((db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v);
    if (current > latest) {
      throw new SettingsOpenError(
        where,
        `Settings database ${where} has schema version ${current}, newer than this bot knows (${latest}). Run the newer version of the bot, or restore a backup made for this one.`,
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)');
    for (const m of migrations) {
      if (m.version <= current) continue;
      db.exec(m.up);
      record.run(m.version, m.description, Date.now());
    }
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
