import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { openPostgresSettings } from './postgres/pgStore.js';
import { openSqliteSettings } from './sqlite/sqliteStore.js';
import type { SettingsStore } from './types.js';

/** Opens the configured settings store: PostgreSQL when DATABASE_URL is set, else SQLite in DATA_DIR. */
export function openSettingsStore(config: Pick<Config, 'dataDir' | 'databaseUrl' | 'tts'>, logger: Logger): SettingsStore {
  if (config.databaseUrl) return openPostgresSettings({ url: config.databaseUrl, tts: config.tts, logger });
  return openSqliteSettings({ dataDir: config.dataDir, tts: config.tts, logger });
}
