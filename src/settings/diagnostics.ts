import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DIAGNOSIS_TITLES, diagnosisLines } from '../messages.js';
import type { DiagnosticSection } from '../observability/diagnostics.js';
import { MIGRATIONS } from './migrations.js';
import { SETTINGS_FILE } from './sqlite/sqliteStore.js';

/** Bytes of a file, or 0 when it does not exist. */
const sizeOf = (file: string) => stat(file).then((s) => s.size, () => 0);

/** The /diagnose section about storage: the audio cache (size, hit rate) and the settings database (file, size, schema). */
export function storageSection(deps: {
  dataDir: string;
  cache: () => { bytes: number; entries: number; hits: number; misses: number } | undefined;
  cacheMaxBytes: number;
  /** Set when the settings live in PostgreSQL (DATABASE_URL); only its host and database name are shown. */
  databaseUrl?: string | undefined;
}): DiagnosticSection {
  return {
    title: DIAGNOSIS_TITLES.storage,
    async lines() {
      if (deps.databaseUrl) {
        const url = new URL(deps.databaseUrl);
        return [diagnosisLines.cache(deps.cache() ? { ...deps.cache()!, maxBytes: deps.cacheMaxBytes } : null), diagnosisLines.postgres(`${url.host}${url.pathname}`)];
      }
      const file = join(deps.dataDir, SETTINGS_FILE);
      // The write-ahead log holds recent changes until a checkpoint: it is part of the database's size.
      const bytes = (await sizeOf(file)) + (await sizeOf(`${file}-wal`));
      const stats = deps.cache();
      return [
        diagnosisLines.cache(stats ? { ...stats, maxBytes: deps.cacheMaxBytes } : null),
        // The store migrates to the latest version on open (or the bot does not start).
        diagnosisLines.database({ file, bytes, schemaVersion: MIGRATIONS.at(-1)?.version ?? 0 }),
      ];
    },
  };
}
