// Copies the settings in DATA_DIR/settings.sqlite into the empty PostgreSQL database at DATABASE_URL (one transaction).
import { config as loadDotenv } from 'dotenv';
import { createLogger } from '../src/observability/logger.js';
import { copySqliteToPostgres } from '../src/settings/postgres/copyFromSqlite.js';
import { describeUrl } from '../src/settings/postgres/pgStore.js';

loadDotenv({ quiet: true });
const url = process.env.DATABASE_URL?.trim();
const dataDir = process.env.DATA_DIR?.trim() || './data';
if (!url) {
  process.stderr.write('Set DATABASE_URL to the PostgreSQL database to copy the settings into (postgres://user:password@host:5432/db).\n');
  process.exit(1);
}
try {
  const copied = await copySqliteToPostgres({ dataDir, url, logger: createLogger('warn') });
  const total = Object.values(copied).reduce((a, b) => a + b, 0);
  process.stdout.write(`Copied ${total} rows from ${dataDir}/settings.sqlite into ${describeUrl(url)}:\n`);
  for (const [table, n] of Object.entries(copied)) process.stdout.write(`  ${table}: ${n}\n`);
  process.stdout.write('Start the bot with DATABASE_URL set to use them. The SQLite file was left as it was.\n');
} catch (err) {
  process.stderr.write(`Nothing was copied: ${(err as Error).message}\n`);
  process.exit(1);
}
