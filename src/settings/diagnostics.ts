import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DiagnosisText, DiagnosticSection } from '../observability/diagnostics.js';
import { MIGRATIONS } from './migrations.js';
import { SETTINGS_FILE } from './sqlite/sqliteStore.js';

/** Bytes of a file, or 0 when it does not exist. */
const sizeOf = (file: string) => stat(file).then((s) => s.size, () => 0);

/** A size in MiB with one decimal, in the reader's number format. */
const mib = (t: DiagnosisText, bytes: number) => t('replies.diagnose.storage.mib', { mib: bytes / 1_048_576 });

/** The line about the audio cache (null: switched off): size, clips, hit rate since start. */
export function cacheLine(t: DiagnosisText, f: { bytes: number; maxBytes: number; entries: number; hits: number; misses: number } | null): string {
  if (f === null) return t('replies.diagnose.storage.cache_off');
  const asked = f.hits + f.misses;
  return t('replies.diagnose.storage.cache', {
    size: mib(t, f.bytes),
    max: mib(t, f.maxBytes),
    entries: f.entries,
    hitRate: asked > 0 ? t('replies.diagnose.storage.hit_rate', { rate: f.hits / asked }) : t('replies.diagnose.storage.no_hit_rate'),
    hits: f.hits,
    misses: f.misses,
  });
}

/** The /diagnose section about storage: the audio cache (size, hit rate) and the settings database (file, size, schema). */
export function storageSection(deps: {
  dataDir: string;
  cache: () => { bytes: number; entries: number; hits: number; misses: number } | undefined;
  cacheMaxBytes: number;
  /** Set when the settings live in PostgreSQL (DATABASE_URL); only its host and database name are shown. */
  databaseUrl?: string | undefined;
}): DiagnosticSection {
  return {
    titleKey: 'replies.diagnose.titles.storage',
    async lines({ t }) {
      if (deps.databaseUrl) {
        const url = new URL(deps.databaseUrl);
        const stats = deps.cache();
        return [cacheLine(t, stats ? { ...stats, maxBytes: deps.cacheMaxBytes } : null), t('replies.diagnose.storage.postgres', { where: `${url.host}${url.pathname}` })];
      }
      const file = join(deps.dataDir, SETTINGS_FILE);
      // The write-ahead log holds recent changes until a checkpoint: it is part of the database's size.
      const bytes = (await sizeOf(file)) + (await sizeOf(`${file}-wal`));
      const stats = deps.cache();
      return [
        cacheLine(t, stats ? { ...stats, maxBytes: deps.cacheMaxBytes } : null),
        // The store migrates to the latest version on open (or the bot does not start).
        t('replies.diagnose.storage.database', { file, size: mib(t, bytes), version: MIGRATIONS.at(-1)?.version ?? 0 }),
      ];
    },
  };
}
