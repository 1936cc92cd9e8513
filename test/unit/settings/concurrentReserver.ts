// Run as a separate process by usageCounters.test.ts (either dialect): reserves 1 character at a time against one guild's daily budget
// until `attempts` tries were made, starting with the other process (startTogether.ts); prints how many were counted and when.
import { openPostgresSettings } from '../../../src/settings/postgres/pgStore.js';
import { openSqliteSettings } from '../../../src/settings/sqlite/sqliteStore.js';
import { createLogger } from '../../../src/observability/logger.js';
import { readyThenGo } from './startTogether.js';

// `place`: a data directory (SQLite) or a postgres:// URL.
const [place, memberId, attempts, limit] = process.argv.slice(2) as [string, string, string, string];
const options = { tts: { voices: ['alloy'], models: ['tts-1'] }, logger: createLogger('silent') };
const store = place.startsWith('postgres') ? openPostgresSettings({ url: place, ...options }) : openSqliteSettings({ dataDir: place, ...options });
// Both processes begin together, so their transactions interleave.
await readyThenGo();
const pause = new Int32Array(new SharedArrayBuffer(4));
let counted = 0;
let first = 0;
let last = 0;
for (let i = 0; i < Number(attempts); i++) {
  const result = store.usage.reserve(
    { guildId: '100000000000000001', memberId, model: 'tts-1', chars: 1, guildDay: '2026-12-07', month: '2026-12', botDay: '2026-12-07' },
    { guild: Number(limit), bot: 0 },
  );
  if (result.ok) {
    counted++;
    first ||= Date.now();
    last = Date.now();
  }
  // A millisecond between tries, so neither process holds the lock for its whole run.
  Atomics.wait(pause, 0, 0, 1);
}
store.close();
process.stdout.write(JSON.stringify({ counted, first, last }));
