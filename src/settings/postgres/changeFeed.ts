import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../../observability/logger.js';
import type { ChangePublisher, SettingsChange } from '../cachedStore.js';
import type { SyncDatabase } from '../syncDatabase.js';

/** The NOTIFY channel every bot process sharing the database listens on. */
export const CHANGE_CHANNEL = 'speechbot_settings';

interface Payload {
  from: string;
  change: SettingsChange;
}

/** Announces committed writes with pg_notify (delivered to listeners on commit, payloads far below 8,000 bytes). */
export class PgChangePublisher implements ChangePublisher {
  readonly #statement;
  constructor(
    db: SyncDatabase,
    /** This process's token, so its own listener skips what it wrote itself. */
    readonly origin: string,
  ) {
    this.#statement = db.prepare(`SELECT pg_notify('${CHANGE_CHANNEL}', ?) AS sent`);
  }

  publish(change: SettingsChange): void {
    this.#statement.get(JSON.stringify({ from: this.origin, change } satisfies Payload));
  }
}

/** What the listener tells the store. */
export interface ChangeListenerOptions {
  url: string;
  origin: string;
  /** A change another process made. */
  onChange(change: SettingsChange): void;
  /** The listener (re)connected: notifications may have been missed, so every cache must go. */
  onReset(): void;
  logger: Logger;
  /** Longest wait between reconnection attempts. */
  maxBackoffMs?: number;
}

/** A running listener; `stop` ends it. */
export interface ChangeListener {
  stop(): Promise<void>;
  /** Resolves once LISTEN is in place (tests). */
  ready(): Promise<void>;
}

/** Starts a LISTEN on a dedicated connection (not a pooled one), reconnecting with backoff whenever it drops. */
export function startChangeListener(options: ChangeListenerOptions): ChangeListener {
  const log = options.logger.child({ module: 'settings-feed' });
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  let stopped = false;
  let client: pg.Client | undefined;
  let backoffMs = 100;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => (markReady = resolve));

  const retry = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, backoffMs);
    timer.unref();
    backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
  };

  const connect = async () => {
    const c = new pg.Client({ connectionString: options.url, application_name: 'speech-bot-feed', connectionTimeoutMillis: 5_000 });
    client = c;
    c.on('notification', (n) => {
      if (n.channel !== CHANGE_CHANNEL || !n.payload) return;
      try {
        const payload = JSON.parse(n.payload) as Payload;
        if (payload.from !== options.origin) options.onChange(payload.change);
      } catch {
        log.warn('unreadable settings change notification ignored');
      }
    });
    c.on('error', (err) => {
      log.warn({ err: err.message }, 'settings change listener lost its connection; reconnecting');
      c.end().catch(() => {});
      if (client === c) retry();
    });
    c.on('end', () => {
      if (client === c && !stopped) retry();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGE_CHANNEL}`);
      if (stopped) return void (await c.end());
      backoffMs = 100;
      // Whatever changed while no one listened was never delivered: start from the database again.
      options.onReset();
      markReady();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'settings change listener cannot connect; retrying');
      c.end().catch(() => {});
      retry();
    }
  };

  void connect();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await client?.end().catch(() => {});
    },
    ready: () => readyPromise,
  };
}

/** A token naming this process in its notifications. */
export function newOrigin(): string {
  return randomUUID();
}
