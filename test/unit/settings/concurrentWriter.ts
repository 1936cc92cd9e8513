// Run as a separate process by database.test.ts: writes N member settings through the real store, one write per call.
import { openSqliteSettings } from '../../../src/settings/sqlite/sqliteStore.js';
import { createLogger } from '../../../src/observability/logger.js';

const [dataDir, prefix, count] = process.argv.slice(2) as [string, string, string];
const store = openSqliteSettings({ dataDir, tts: { voices: ['alloy'], models: ['tts-1'] }, logger: createLogger('silent'),
  // This file proves integrity under contention; the bounded interactive wait (1 s) is tested end to end in faultsDisk.
  writeBusyTimeoutMs: 10_000,
});
for (let i = 0; i < Number(count); i++) {
  store.setMember('global', `${prefix}${String(i).padStart(14, '0')}`, { speed: 1 + (i % 3) });
}
store.close();
