// Run as a separate process by postgresStore.test.ts: `rounds` times, reserves a whole budget, reads the committed
// total, and releases it. With exact reservations the total never exceeds the budget, however the processes interleave.
import { openPostgresSettings } from '../../../src/settings/postgres/pgStore.js';
import { createLogger } from '../../../src/observability/logger.js';
import { readyThenGo } from './startTogether.js';

const [url, memberId, rounds] = process.argv.slice(2) as [string, string, string];
const store = openPostgresSettings({ url, tts: { voices: ['alloy'], models: ['tts-1'] }, logger: createLogger('silent'), changeFeed: false });
// Both processes begin together.
await readyThenGo();
const charge = { guildId: '100000000000000001', memberId, model: 'tts-1', chars: 1000, guildDay: '2026-12-07', month: '2026-12', botDay: '2026-12-07' };
let held = 0;
let highest = 0;
for (let i = 0; i < Number(rounds); i++) {
  if (!store.usage.reserve(charge, { guild: 1000, bot: 0 }).ok) continue;
  held++;
  highest = Math.max(highest, store.usage.guildDay(charge.guildId, charge.guildDay)[0]?.chars ?? 0);
  store.usage.release(charge);
}
store.close();
process.stdout.write(JSON.stringify({ held, highest }));
