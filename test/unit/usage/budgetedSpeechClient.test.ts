import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotError } from '../../../src/errors.js';
import { openSqliteSettings } from '../../../src/settings/sqlite/sqliteStore.js';
import type { SettingsStore } from '../../../src/settings/types.js';
import { AudioCache } from '../../../src/speech/audioCache.js';
import { createCachingSpeechClient } from '../../../src/speech/cachingSpeechClient.js';
import { createBudgetedSpeechClient } from '../../../src/usage/budgetedSpeechClient.js';
import { createUsageMeter, type UsageMeter } from '../../../src/usage/usageMeter.js';
import { TTS, capturingLogger, tempDataDir } from '../settings/fixtures.js';
import { manualProvider, request } from '../speech/fakeProvider.js';

const G = '100000000000000001';
const A = '200000000000000001';
const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error('condition not met');
};
const drain = async (stream: NodeJS.ReadableStream) => {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

describe('budgeted speech client (under the cache)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let settings: SettingsStore;
  let meter: UsageMeter;
  const logger = capturingLogger().logger;
  const used = () => meter.report(G).guildBudget.used;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDataDir());
    settings = openSqliteSettings({ dataDir: dir, tts: TTS, logger });
    settings.setGuild(G, 'char_budget_daily', '30');
    meter = createUsageMeter({ settings, botDailyBudget: 0, prices: {}, clock: { now: () => Date.now() }, logger });
  });
  afterEach(async () => {
    settings.close();
    await cleanup();
  });

  it('counts the input characters of a call that answered, for the guild and the member', async () => {
    const provider = manualProvider();
    const client = createBudgetedSpeechClient({ inner: provider.client, meter });
    const pending = client.synthesize(request, { key: G, memberId: A });
    await until(() => provider.calls.length === 1);
    expect(provider.calls[0]!.options).toMatchObject({ key: G, memberId: A });
    provider.calls[0]!.answer();
    const audio = await pending;
    // Cut after the start: the provider made audio, the characters stay counted.
    provider.calls[0]!.body.destroy(new Error('cut'));
    await expect(drain(audio.stream)).rejects.toThrow('cut');
    expect(used()).toBe(request.input.length);
    expect(meter.report(G).topMembers).toEqual([{ userId: A, chars: request.input.length }]);
  });

  it('refuses before the provider is asked once the budget would be passed', async () => {
    const provider = manualProvider();
    const client = createBudgetedSpeechClient({ inner: provider.client, meter });
    const text = { ...request, input: 'x'.repeat(20) };
    const first = client.synthesize(text, { key: G, memberId: A });
    await until(() => provider.calls.length === 1);
    provider.calls[0]!.answer();
    provider.calls[0]!.body.end(Buffer.from('ok'));
    await first;
    const err = await client.synthesize({ ...text, input: 'y'.repeat(11) }, { key: G, memberId: A }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BotError);
    expect((err as BotError).key).toBe('usage.budget_guild');
    expect(provider.calls).toHaveLength(1);
    // Ten more still fit exactly.
    void client.synthesize({ ...text, input: 'z'.repeat(10) }, { key: G, memberId: A });
    await until(() => provider.calls.length === 2);
  });

  it('gives the characters back when the call failed or was abandoned before any audio', async () => {
    const provider = manualProvider();
    const client = createBudgetedSpeechClient({ inner: provider.client, meter });
    const failed = client.synthesize(request, { key: G, memberId: A });
    await until(() => provider.calls.length === 1);
    expect(used()).toBe(request.input.length);
    provider.calls[0]!.refuse(new Error('503'));
    await expect(failed).rejects.toThrow('503');
    expect(used()).toBe(0);
    const controller = new AbortController();
    const abandoned = client.synthesize(request, { key: G, memberId: A, signal: controller.signal });
    await until(() => provider.calls.length === 2);
    controller.abort();
    await expect(abandoned).rejects.toThrow();
    expect(used()).toBe(0);
    expect(meter.report(G).topMembers).toEqual([]);
  });

  it('with the cache above it: a cached phrase plays when the budget is spent, and counts as saved', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'budget-cache-'));
    try {
      const provider = manualProvider();
      const cache = await AudioCache.open({ dir: cacheDir, maxBytes: 1_000_000, logger });
      const client = createCachingSpeechClient({
        inner: createBudgetedSpeechClient({ inner: provider.client, meter }),
        cache,
        logger,
        onSaved: (r, o) => meter.saved({ guildId: o.key, memberId: o.memberId }, r.model, r.input.length),
      });
      const phrase = { ...request, input: 'x'.repeat(25) };
      const first = client.synthesize(phrase, { key: G, memberId: A });
      await until(() => provider.calls.length === 1);
      provider.calls[0]!.answer();
      provider.calls[0]!.body.end(Buffer.from('OggS audio'));
      expect((await drain((await first).stream)).toString()).toBe('OggS audio');
      await client.idle();
      // 25 of 30 spent: a new 10-character phrase is refused, the cached one plays.
      await expect(client.synthesize({ ...request, input: 'y'.repeat(10) }, { key: G, memberId: A })).rejects.toMatchObject({ key: 'usage.budget_guild' });
      const again = await client.synthesize(phrase, { key: G, memberId: A });
      expect(again.fromCache).toBe(true);
      expect((await drain(again.stream)).toString()).toBe('OggS audio');
      expect(provider.calls).toHaveLength(1);
      const figures = meter.report(G).models.find((m) => m.model === request.model)!;
      expect(figures).toMatchObject({ todayChars: 25, todaySaved: 25 });
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
