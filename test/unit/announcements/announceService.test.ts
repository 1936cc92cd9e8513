import { loadCatalogs } from '../../../src/i18n/catalog.js';
import { createTranslator } from '../../../src/i18n/translator.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { BotError } from '../../../src/errors.js';
import { MAX_SCHEDULES_PER_GUILD, createAnnounceService, type AnnouncePorts } from '../../../src/features/announcements/announceService.js';
import { createPresenceAnnouncer } from '../../../src/features/announcements/presenceAnnouncer.js';
import { createPronunciation } from '../../../src/features/pronunciation.js';
import { phrasesIn } from '../../support/spokenPhrases.js';
import { createSpeakService } from '../../../src/features/speak.js';
import type { SpeechRequest } from '../../../src/speech/request.js';
import type { SpeechClient } from '../../../src/speech/speechClient.js';
import { openSqliteSettings } from '../../../src/settings/sqlite/sqliteStore.js';
import type { SettingsStore } from '../../../src/settings/types.js';
import { GuildPlayback } from '../../../src/voice/GuildPlayback.js';
import { PlaybackRegistry } from '../../../src/voice/PlaybackRegistry.js';
import { FakePreparer, FakeVoiceLink, ManualClock, settle } from '../core/playbackFakes.js';
import { TTS, capturingLogger, tempDataDir } from '../settings/fixtures.js';

const config = loadConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '123456789012345678', TTS_API_KEY: 'k', TTS_VOICES: TTS.voices.join(',') });
const unusedSpeech: SpeechClient = { synthesize: () => Promise.reject(new Error('not used')) };
const keyOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof BotError ? err.key : String(err);
  }
  return 'no error';
};

describe('announcements: services', () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let settings: SettingsStore;
  let clock: ManualClock;
  let prep: FakePreparer<string>;
  let link: FakeVoiceLink;

  beforeEach(async () => {
    dir = await tempDataDir();
    const { logger } = capturingLogger();
    settings = openSqliteSettings({ dataDir: dir.dir, tts: TTS, logger });
    clock = new ManualClock();
    clock.advanceTo(Date.parse('2026-11-25T08:00:00Z'));
    prep = new FakePreparer<string>();
    link = new FakeVoiceLink();
  });
  afterEach(async () => {
    settings.close();
    await dir.cleanup();
  });

  const services = (ports: Partial<AnnouncePorts> = {}) => {
    const { logger } = capturingLogger();
    const playback = new PlaybackRegistry<SpeechRequest>(
      (guildId) =>
        new GuildPlayback<SpeechRequest>(
          guildId,
          link,
          (req, signal, ctx) => prep.prepare(req.input, signal, ctx),
          { maxQueue: 10, maxPerMember: 3, idleTimeoutMs: 60_000, prefetch: 1 },
          clock,
          logger,
        ),
    );
    const speak = createSpeakService({ config, speech: unusedSpeech, playback, settings, logger });
    const announce = createAnnounceService({
      settings,
      speak,
      playback,
      clock,
      logger,
      ports: { cannotSpeakIn: () => null, humansIn: () => 1, notify: async () => undefined, guildLanguage: () => 'en-US', ...ports },
      translator: createTranslator(loadCatalogs()),
    });
    const presence = createPresenceAnnouncer({ settings, speak, playback, pronunciation: createPronunciation(settings, () => phrasesIn('en-US')), clock, logger, windowMs: 2000, flapMs: 30_000 });
    return { playback, announce, presence };
  };
  const member = (over: Partial<{ canManageGuild: boolean; roleIds: string[] }> = {}) => ({ id: 'm1', name: 'Mod', canManageGuild: false, roleIds: [], ...over });

  it('allows Manage Server, or the role the guild chose, and nobody else', () => {
    const { announce } = services();
    expect(keyOf(() => announce.requireAllowed('g', member({ canManageGuild: true })))).toBe('no error');
    expect(keyOf(() => announce.requireAllowed('g', member({ roleIds: ['555555555555555555'] })))).toBe('announce.not_allowed');
    settings.setGuild('g', 'announce_role', '555555555555555555');
    expect(keyOf(() => announce.requireAllowed('g', member({ roleIds: ['555555555555555555'] })))).toBe('no error');
    expect(keyOf(() => announce.requireAllowed('g', member({ roleIds: ['1'] })))).toBe('announce.not_allowed');
  });

  it('refuses a schedule without a time, with both a time and a cron, in the past, or past the guild limit', () => {
    const { announce } = services();
    const base = { guildId: 'g', channelId: 'c', replyChannelId: 't', text: 'hello', member: member({ canManageGuild: true }) };
    expect(keyOf(() => announce.schedule(base))).toBe('announce.no_time');
    expect(keyOf(() => announce.schedule({ ...base, when: '09:00', cron: '0 9 * * *' }))).toBe('announce.time_and_cron');
    expect(keyOf(() => announce.schedule({ ...base, when: '2026-11-24 09:00' }))).toBe('announce.bad_time');
    expect(keyOf(() => announce.schedule({ ...base, when: '09:00', voice: 'no-such-voice' }))).toBe('request.unknown_voice');
    const first = announce.schedule({ ...base, when: '09:00' });
    expect(first.description).toBe('once on 2026-11-25 at 09:00 (UTC)');
    expect(first.next?.toISOString()).toBe('2026-11-25T09:00:00.000Z');
    expect(announce.schedule({ ...base, cron: '30 8 * * 1-5' }).next?.toISOString()).toBe('2026-11-25T08:30:00.000Z');
    for (let i = 2; i < MAX_SCHEDULES_PER_GUILD; i++) announce.schedule({ ...base, when: '10:00', repeat: 'daily' });
    expect(keyOf(() => announce.schedule({ ...base, when: '11:00' }))).toBe('announce.too_many');
    expect(keyOf(() => announce.cancel('other-guild', first.schedule.id))).toBe('announce.unknown');
    announce.cancel('g', first.schedule.id);
    expect(announce.list('g')).toHaveLength(MAX_SCHEDULES_PER_GUILD - 1);
  });

  it('a schedule due where the bot may not speak is not said; the notice names the permission and the channel', () => {
    const notices: Array<{ channelId: string; content: string }> = [];
    const { announce, playback } = services({
      cannotSpeakIn: (_guildId, channelId) => new BotError('permission.missing', { permission: 'Speak', channelId }),
      notify: async (channelId, content) => {
        notices.push({ channelId, content });
      },
    });
    const view = announce.schedule({ guildId: 'g', channelId: 'lounge', replyChannelId: 'text', text: 'Stand-up', when: '09:00', member: member({ canManageGuild: true }) });
    announce.start();
    clock.advanceTo(Date.parse('2026-11-25T09:00:30Z'));
    announce.stop();
    expect(notices).toEqual([{ channelId: 'text', content: expect.stringContaining(`#${view.schedule.id} was not said in <#lounge>`) }]);
    expect(notices[0]!.content).toContain('**Speak** permission in <#lounge>');
    expect(playback.get('g')?.snapshot().pending ?? []).toEqual([]);
    expect(playback.get('g')?.snapshot().current).toBeUndefined();
  });

  it('/announce now with repeat queues that many items ahead of waiting ones', async () => {
    const { announce, playback } = services();
    const p = playback.getOrCreate('g');
    await p.join('lounge');
    const job = (text: string) => ({ request: { input: text } as SpeechRequest, channelId: 'lounge', requester: { id: 'x', name: 'X' }, label: text });
    p.enqueue(job('first'));
    p.enqueue(job('second'));
    await settle();
    const r = announce.now({ guildId: 'g', channelId: 'lounge', text: 'Listen up', repeat: 2, member: member({ canManageGuild: true }) });
    expect(r).toEqual({ position: 2, visit: false });
    expect(p.snapshot().pending.map((e) => e.label)).toEqual(['announcement: Listen up', 'announcement: Listen up', 'second']);
  });

  it('a scheduled announcement that fails (a spent budget) is reported in its channel with the reason', async () => {
    const notices: Array<{ channelId: string; content: string }> = [];
    const { announce } = services({ notify: async (channelId, content) => void notices.push({ channelId, content }) });
    const view = announce.schedule({ guildId: 'g', channelId: 'lounge', replyChannelId: 'text', text: 'Stand-up time', when: '09:00', member: member({ canManageGuild: true }) });
    announce.start();
    clock.advanceTo(Date.parse('2026-11-25T09:00:01Z'));
    await settle();
    clock.advance(1000);
    await settle();
    prep.call('Stand-up time').reject(new BotError('usage.budget_guild', { used: 200, limit: 200, needed: 13, resetAt: 1796688000 }));
    await settle();
    announce.stop();
    expect(notices).toEqual([
      {
        channelId: 'text',
        content: `⚠️ Scheduled announcement #${view.schedule.id} was not said in <#lounge>. This server’s daily speech budget is spent: 200 of 200 characters used today, and this needs 13. It resets <t:1796688000:R>. Phrases already in the cache still play.`,
      },
    ]);
  });

  it('presence: spoken names, the guild’s templates, nothing when switched off', async () => {
    const { presence, playback } = services();
    const p = playback.getOrCreate('g');
    await p.join('lounge');
    const change = (userId: string, name: string) => ({ userId, isBot: false, name, fromChannelId: null, toChannelId: 'lounge' });
    presence.onVoiceStateChange('g', change('u1', 'Alice'));
    clock.advance(3000);
    expect(prep.requested).toEqual([]);
    settings.setGuild('g', 'announce_joins', 'on');
    settings.setGuild('g', 'announce_join_template', 'Welcome, {name}!');
    settings.setMember({ guildId: 'g' }, 'u2', { spokenName: 'Bobby' });
    settings.dictionary.set('g', 'xX', 'ex ex');
    presence.onVoiceStateChange('g', change('u2', 'Bob'));
    presence.onVoiceStateChange('g', change('u3', '🎮 xX'));
    clock.advance(2000);
    await settle();
    expect(prep.requested).toEqual(['Welcome, Bobby and video game ex ex!']);
    presence.dispose();
  });
});
