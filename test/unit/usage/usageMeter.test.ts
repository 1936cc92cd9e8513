import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotError } from '../../../src/errors.js';
import { openSqliteSettings } from '../../../src/settings/sqlite/sqliteStore.js';
import type { SettingsStore } from '../../../src/settings/types.js';
import { createUsageMeter } from '../../../src/usage/usageMeter.js';
import { TTS, capturingLogger, tempDataDir } from '../settings/fixtures.js';

const G = '100000000000000001';
const G2 = '100000000000000002';
const A = '200000000000000001';
const B = '200000000000000002';
const at = (iso: string) => Date.parse(iso);

function refusal(fn: () => unknown): BotError {
  try {
    fn();
  } catch (err) {
    if (err instanceof BotError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('usage meter: rate limit, budgets, figures', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let settings: SettingsStore;
  const clock = { t: at('2026-12-07T12:00:00Z'), now: () => clock.t };
  const meter = (botDailyBudget = 0) =>
    createUsageMeter({ settings, botDailyBudget, prices: { 'tts-1': 15, 'gpt-4o-mini-tts': 12 }, clock, logger: capturingLogger().logger });

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDataDir());
    settings = openSqliteSettings({ dataDir: dir, tts: TTS, logger: capturingLogger().logger });
    clock.t = at('2026-12-07T12:00:00Z');
  });
  afterEach(async () => {
    settings.close();
    await cleanup();
  });

  it('admits member_rate_per_min requests, then refuses with the retry time in Unix seconds', () => {
    settings.setGuild(G, 'member_rate_per_min', '3');
    const m = meter();
    for (let i = 0; i < 3; i++) m.admit(G, A);
    const err = refusal(() => m.admit(G, A));
    expect(err.key).toBe('usage.rate_limited');
    expect(err.details).toEqual({ perMinute: 3, retryAt: Math.ceil((clock.t + 20_000) / 1000) });
    m.admit(G, B);
    clock.t += 20_000;
    m.admit(G, A);
  });

  it('defaults: 10 a minute, 100,000 characters a day, no bot limit', () => {
    expect(settings.guild(G).member_rate_per_min).toBe(10);
    expect(settings.guild(G).char_budget_daily).toBe(100_000);
    const m = meter();
    for (let i = 0; i < 10; i++) m.admit(G, A);
    expect(() => m.admit(G, A)).toThrow(BotError);
    m.reserve({ guildId: G, memberId: A }, 'tts-1', 100_000);
    expect(refusal(() => m.reserve({ guildId: G, memberId: A }, 'tts-1', 1)).key).toBe('usage.budget_guild');
  });

  it('refuses what would pass the server’s budget, naming it and its reset at midnight in the server’s zone', () => {
    settings.setGuild(G, 'char_budget_daily', '200');
    settings.setGuild(G, 'time_zone', 'Europe/Paris');
    const m = meter();
    m.reserve({ guildId: G, memberId: A }, 'tts-1', 150);
    const err = refusal(() => m.reserve({ guildId: G, memberId: B }, 'tts-1', 60));
    expect(err.key).toBe('usage.budget_guild');
    expect(err.details).toEqual({ used: 150, limit: 200, needed: 60, resetAt: at('2026-12-07T23:00:00Z') / 1000 });
    // What still fits is allowed; the next local day starts again at 23:00 UTC.
    m.reserve({ guildId: G, memberId: B }, 'tts-1', 50);
    clock.t = at('2026-12-07T22:59:59Z');
    expect(() => m.reserve({ guildId: G, memberId: A }, 'tts-1', 1)).toThrow(BotError);
    clock.t = at('2026-12-07T23:00:00Z');
    m.reserve({ guildId: G, memberId: A }, 'tts-1', 200);
    // Another server is not affected.
    m.reserve({ guildId: G2, memberId: A }, 'tts-1', 200);
  });

  it('0 means no server limit; the bot’s budget spans every server and resets at midnight UTC', () => {
    settings.setGuild(G, 'char_budget_daily', '0');
    settings.setGuild(G, 'time_zone', 'Asia/Tokyo');
    const m = meter(1000);
    m.reserve({ guildId: G, memberId: A }, 'tts-1', 900);
    const err = refusal(() => m.reserve({ guildId: G2, memberId: A }, 'tts-1', 101));
    expect(err.key).toBe('usage.budget_bot');
    expect(err.details).toEqual({ used: 900, limit: 1000, needed: 101, resetAt: at('2026-12-08T00:00:00Z') / 1000 });
    clock.t = at('2026-12-08T00:00:00Z');
    m.reserve({ guildId: G2, memberId: A }, 'tts-1', 1000);
  });

  it('a released reservation frees its characters; releasing twice frees them once', () => {
    settings.setGuild(G, 'char_budget_daily', '100');
    const m = meter();
    const r = m.reserve({ guildId: G, memberId: A }, 'tts-1', 60);
    m.reserve({ guildId: G, memberId: A }, 'tts-1', 40);
    r.release();
    r.release();
    m.reserve({ guildId: G, memberId: A }, 'tts-1', 60);
    expect(() => m.reserve({ guildId: G, memberId: A }, 'tts-1', 1)).toThrow(BotError);
  });

  it('reports today, the month, the cache’s savings, costs per model, budgets left and the top members', () => {
    settings.setGuild(G, 'char_budget_daily', '10000');
    const m = meter(50_000);
    clock.t = at('2026-12-01T10:00:00Z');
    m.reserve({ guildId: G, memberId: A }, 'tts-1', 1000);
    clock.t = at('2026-12-07T10:00:00Z');
    m.reserve({ guildId: G, memberId: A }, 'tts-1', 500);
    m.reserve({ guildId: G, memberId: B }, 'gpt-4o-mini-tts', 2000);
    m.reserve({ guildId: G, memberId: 'announcements' }, 'custom-model', 300);
    m.saved({ guildId: G, memberId: B }, 'tts-1', 700);
    m.reserve({ guildId: G2, memberId: A }, 'tts-1', 5000);
    const r = m.report(G);
    expect(r.day).toBe('2026-12-07');
    expect(r.month).toBe('2026-12');
    expect(r.models).toEqual([
      { model: 'custom-model', todayChars: 300, monthChars: 300, todaySaved: 0, monthSaved: 0, monthCost: null, price: null },
      { model: 'gpt-4o-mini-tts', todayChars: 2000, monthChars: 2000, todaySaved: 0, monthSaved: 0, monthCost: 0.024, price: 12 },
      { model: 'tts-1', todayChars: 500, monthChars: 1500, todaySaved: 700, monthSaved: 700, monthCost: 0.0225, price: 15 },
    ]);
    expect(r.guildBudget).toEqual({ limit: 10_000, used: 2800, resetAt: at('2026-12-08T00:00:00Z') });
    expect(r.botBudget).toEqual({ limit: 50_000, used: 7800, resetAt: at('2026-12-08T00:00:00Z') });
    // Announcements are not a member.
    expect(r.topMembers).toEqual([
      { userId: B, chars: 2000 },
      { userId: A, chars: 1500 },
    ]);
  });
});
