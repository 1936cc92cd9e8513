import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { SettingsStore } from '../../../src/settings/types.js';
import type { UsageCharge } from '../../../src/settings/usageCounters.js';
import { describeStores } from './dialects.js';
import { runTogether } from './startTogether.js';

const G1 = '100000000000000001';
const G2 = '100000000000000002';
const U1 = '200000000000000001';
const U2 = '200000000000000002';

const charge = (over: Partial<UsageCharge> = {}): UsageCharge => ({
  guildId: G1,
  memberId: U1,
  model: 'tts-1',
  chars: 100,
  guildDay: '2026-12-07',
  month: '2026-12',
  botDay: '2026-12-07',
  ...over,
});

describeStores('usage counters in the settings database', (suite) => {
  let store: SettingsStore;
  const open = () => suite.open();

  beforeEach(() => {
    store = open();
  });
  afterEach(() => {
    store.close();
  });

  it('counts what was reserved per guild day and model, per member month, per bot day', () => {
    const u = store.usage;
    expect(u.reserve(charge(), { guild: 0, bot: 0 })).toEqual({ ok: true });
    expect(u.reserve(charge({ model: 'gpt-4o-mini-tts', chars: 50, memberId: U2 }), { guild: 0, bot: 0 }).ok).toBe(true);
    expect(u.reserve(charge({ guildDay: '2026-12-08', botDay: '2026-12-08', chars: 7 }), { guild: 0, bot: 0 }).ok).toBe(true);
    expect(u.reserve(charge({ guildId: G2, chars: 1000 }), { guild: 0, bot: 0 }).ok).toBe(true);
    u.addSaved(G1, '2026-12-07', 'tts-1', 30);
    expect(u.guildDay(G1, '2026-12-07')).toEqual([
      { model: 'gpt-4o-mini-tts', chars: 50, saved: 0 },
      { model: 'tts-1', chars: 100, saved: 30 },
    ]);
    expect(u.guildMonth(G1, '2026-12')).toEqual([
      { model: 'gpt-4o-mini-tts', chars: 50, saved: 0 },
      { model: 'tts-1', chars: 107, saved: 30 },
    ]);
    expect(u.guildMonth(G1, '2027-01')).toEqual([]);
    expect(u.botDay('2026-12-07')).toBe(1150);
    expect(u.botDay('2026-12-08')).toBe(7);
    expect(u.topMembers(G1, '2026-12', 5)).toEqual([
      { userId: U1, chars: 107 },
      { userId: U2, chars: 50 },
    ]);
  });

  it('refuses what would go over the guild’s or the bot’s day, and counts nothing then', () => {
    const u = store.usage;
    expect(u.reserve(charge({ chars: 150 }), { guild: 200, bot: 0 }).ok).toBe(true);
    expect(u.reserve(charge({ chars: 51 }), { guild: 200, bot: 0 })).toEqual({ ok: false, budget: 'guild', used: 150, limit: 200 });
    expect(u.reserve(charge({ chars: 50 }), { guild: 200, bot: 0 }).ok).toBe(true);
    expect(u.reserve(charge({ chars: 1 }), { guild: 200, bot: 0 }).ok).toBe(false);
    // The next day starts from zero; another guild has its own budget but shares the bot's.
    expect(u.reserve(charge({ guildDay: '2026-12-08', chars: 200 }), { guild: 200, bot: 0 }).ok).toBe(true);
    expect(u.reserve(charge({ guildId: G2, chars: 101 }), { guild: 200, bot: 500 })).toEqual({ ok: false, budget: 'bot', used: 400, limit: 500 });
    expect(u.botDay('2026-12-07')).toBe(400);
    expect(u.guildDay(G2, '2026-12-07')).toEqual([]);
  });

  it('a release takes a reservation back from the rows it was counted in', () => {
    const u = store.usage;
    const c = charge({ chars: 120 });
    u.reserve(c, { guild: 200, bot: 0 });
    expect(u.reserve(charge({ chars: 100 }), { guild: 200, bot: 0 }).ok).toBe(false);
    u.release(c);
    expect(u.guildDay(G1, '2026-12-07')).toEqual([{ model: 'tts-1', chars: 0, saved: 0 }]);
    expect(u.botDay('2026-12-07')).toBe(0);
    expect(u.topMembers(G1, '2026-12', 5)).toEqual([]);
    expect(u.reserve(charge({ chars: 100 }), { guild: 200, bot: 0 }).ok).toBe(true);
  });

  it('calls for no member count for the guild and the bot only', () => {
    store.usage.reserve(charge({ memberId: null }), { guild: 0, bot: 0 });
    expect(store.usage.topMembers(G1, '2026-12', 5)).toEqual([]);
    expect(store.usage.guildDay(G1, '2026-12-07')[0]!.chars).toBe(100);
  });

  it('keeps the counts across a restart, and /privacy sees and deletes a member’s totals only', () => {
    store.usage.reserve(charge(), { guild: 0, bot: 0 });
    store.usage.reserve(charge({ memberId: U2, chars: 5 }), { guild: 0, bot: 0 });
    store.close();
    store = open();
    expect(store.usage.guildDay(G1, '2026-12-07')).toEqual([{ model: 'tts-1', chars: 105, saved: 0 }]);
    expect(store.exportMember(U1).usage).toEqual([{ guildId: G1, month: '2026-12', chars: 100 }]);
    expect(store.deleteMember(U1)).toBe(1);
    expect(store.exportMember(U1).usage).toEqual([]);
    expect(store.usage.topMembers(G1, '2026-12', 5)).toEqual([{ userId: U2, chars: 5 }]);
    // The server's own total is the server's, not the member's.
    expect(store.usage.guildDay(G1, '2026-12-07')[0]!.chars).toBe(105);
  });

  it('two processes reserving against one budget at once never count more than it', async () => {
    store.close();
    const reserver = join(import.meta.dirname, 'concurrentReserver.ts');
    const [a, b] = await runTogether<{ counted: number; first: number; last: number }>(reserver, [suite.place(), U1, '1500', '2000'], [suite.place(), U2, '1500', '2000']);
    store = open();
    // 3000 tries at 1 character against 2000: exactly 2000 counted, in the database as in what the processes saw.
    expect(a.counted + b.counted).toBe(2000);
    expect(store.usage.guildDay(G1, '2026-12-07')).toEqual([{ model: 'tts-1', chars: 2000, saved: 0 }]);
    expect(store.usage.topMembers(G1, '2026-12', 5).reduce((sum, m) => sum + m.chars, 0)).toBe(2000);
    // They really ran at the same time: each counted some while the other was counting.
    expect(a.counted).toBeGreaterThan(0);
    expect(b.counted).toBeGreaterThan(0);
    expect(a.first < b.last && b.first < a.last, JSON.stringify({ a, b })).toBe(true);
  }, 60_000);
});
