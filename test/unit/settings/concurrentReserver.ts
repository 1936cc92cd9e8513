// Run as a separate process by usageCounters.test.ts: reserves 1 character at a time against one guild's daily budget
// until `attempts` tries were made, starting at a shared instant; prints how many were counted and when.
import { openSqliteSettings } from '../../../src/settings/sqliteStore.js';
import { createLogger } from '../../../src/observability/logger.js';

const [dataDir, memberId, attempts, limit, startAt] = process.argv.slice(2) as [string, string, string, string, string];
const store = openSqliteSettings({ dataDir, tts: { voices: ['alloy'], models: ['tts-1'] }, logger: createLogger('silent') });
while (Date.now() < Number(startAt)) {
  // Both processes begin together, so their transactions interleave.
}
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
