import { afterEach, beforeEach, expect, it } from 'vitest';
import { messageFor } from '../../support/errorWords.js';
import { BotError } from '../../../src/errors.js';
import { GUILD_SETTING_KEYS, defaultGuildSettings, guildSettingDefinitions } from '../../../src/settings/definitions.js';
import type { SettingsStore } from '../../../src/settings/types.js';
import { describeStores, rawSql } from './dialects.js';
import { TTS, capturingLogger } from './fixtures.js';

const G1 = '100000000000000001';
const G2 = '100000000000000002';
const U1 = '200000000000000001';
const U2 = '200000000000000002';

describeStores('settings store', (suite) => {
  let store: SettingsStore;
  let log: ReturnType<typeof capturingLogger>;
  const open = () => suite.open({ logger: log.logger });

  beforeEach(() => {
    log = capturingLogger();
    store = open();
  });
  afterEach(() => {
    store.close();
  });

  it('starts with every guild setting at its default', () => {
    expect(store.guild(G1)).toEqual(defaultGuildSettings(TTS));
    expect(store.guild(G1).read_skip_prefix).toBe('!');
    expect(store.guild(G1).voice).toBeNull();
  });

  it.each([
    ['voice', 'NOVA', 'nova'],
    ['voice', 'default', null],
    ['model', 'tts-1', 'tts-1'],
    ['speed', '1.5', 1.5],
    ['speed', '4', 4],
    ['read_voice_chats', 'on', true],
    ['read_require_in_voice', 'No', false],
    ['read_skip_prefix', 'none', ''],
    ['read_skip_prefix', '//', '//'],
    ['read_required_role', '<@&300000000000000001>', '300000000000000001'],
    ['read_required_role', '300000000000000002', '300000000000000002'],
    ['read_name_window_s', '0', 0],
    ['read_max_chars', '2000', 2000],
    ['read_emoji', 'SKIP', 'skip'],
    ['announce_join_template', 'Welcome {name}', 'Welcome {name}'],
    ['announce_move_template', '{name} went to {channel}', '{name} went to {channel}'],
    ['time_zone', 'Europe/Paris', 'Europe/Paris'],
  ] as const)('/settings set %s %j stores %j', (key, text, value) => {
    expect(store.setGuild(G1, key, text)[key]).toEqual(value);
    expect(store.guild(G1)[key]).toEqual(value);
  });

  it.each([
    ['voice', 'robot', /voice must be one of alloy, echo, nova, shimmer/],
    ['model', 'tts-9', /model must be one of tts-1, gpt-4o-mini-tts/],
    ['speed', 'fast', /speed must be a number from 0.25 to 4/],
    ['speed', '4.5', /from 0.25 to 4/],
    ['speed', '0.1', /from 0.25 to 4/],
    ['read_voice_chats', 'maybe', /must be on or off/],
    ['read_skip_prefix', 'a b', /without spaces/],
    ['read_skip_prefix', 'toolong', /up to 5 characters/],
    ['read_required_role', '@Mods', /role mention or id/],
    ['read_name_window_s', '1.5', /whole number from 0 to 3600/],
    ['read_max_chars', '5', /whole number from 20 to 2000/],
    ['read_emoji', 'describe', /one of name, skip/],
    ['announce_join_template', 'Someone joined', /containing \{name\}/],
    ['announce_join_template', '{name} joined {channel}', /no other \{placeholders\}/],
    ['announce_leave_template', '{name} left {when}', /no other/],
    ['time_zone', 'Mars/Olympus', /IANA time zone/],
  ] as const)('/settings set %s %j is refused, naming what is allowed', (key, text, reason) => {
    let error: unknown;
    try {
      store.setGuild(G1, key, text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BotError);
    expect((error as BotError).key).toBe('settings.invalid_value');
    expect(messageFor((error as BotError).key, { ...(error as BotError).details })).toMatch(reason);
    expect(store.guild(G1)[key]).toEqual(guildSettingDefinitions(TTS)[key].default);
  });

  it('keeps guilds apart and resets one key without touching the others', () => {
    store.setGuild(G1, 'voice', 'nova');
    store.setGuild(G1, 'speed', '2');
    expect(store.guild(G2).voice).toBeNull();
    const after = store.resetGuild(G1, 'voice');
    expect(after.voice).toBeNull();
    expect(after.speed).toBe(2);
  });

  it('member settings: per guild and global, merged into one view, cleared with null', () => {
    store.setMember({ guildId: G1 }, U1, { voice: 'echo', spokenName: 'Ally' });
    store.setMember('global', U1, { speed: 2, voice: 'shimmer' });
    expect(store.member(G1, U1)).toEqual({
      guild: { voice: 'echo', speed: null, spokenName: 'Ally', optOut: null },
      global: { voice: 'shimmer', speed: 2, spokenName: null, optOut: null },
    });
    expect(store.member(G2, U1).guild).toEqual({ voice: null, speed: null, spokenName: null, optOut: null });
    store.setMember({ guildId: G1 }, U1, { voice: null });
    expect(store.member(G1, U1).guild.voice).toBeNull();
    expect(store.member(G1, U1).guild.spokenName).toBe('Ally');
    expect(store.member(G1, U2).global.voice).toBeNull();
  });

  it.each([
    [{ voice: 'robot' }, /Voice must be one of alloy/],
    [{ speed: 9 }, /Speed must be a number from 0.25 to 4/],
    [{ spokenName: '' }, /1 to 32 visible characters/],
    [{ spokenName: 'x'.repeat(33) }, /1 to 32/],
    [{ spokenName: 'Al\u202Eice' }, /visible characters/],
  ])('member value %j is refused', (values, reason) => {
    expect(() => store.setMember({ guildId: G1 }, U1, values)).toThrow(BotError);
    try {
      store.setMember({ guildId: G1 }, U1, values);
    } catch (err) {
      expect(messageFor((err as BotError).key, { ...(err as BotError).details })).toMatch(reason);
    }
    expect(store.exportMember(U1).entries).toEqual([]);
  });

  it('a refused value in a batch writes nothing of the batch', () => {
    expect(() => store.setMember({ guildId: G1 }, U1, { voice: 'echo', speed: 99 })).toThrow(BotError);
    expect(store.member(G1, U1).guild.voice).toBeNull();
  });

  it('exports everything about one user and deletes it everywhere', () => {
    store.setMember({ guildId: G1 }, U1, { voice: 'echo' });
    store.setMember({ guildId: G2 }, U1, { optOut: true });
    store.setMember('global', U1, { spokenName: 'Ally' });
    store.setMember('global', U2, { spokenName: 'Bee' });
    const data = store.exportMember(U1);
    expect(data.userId).toBe(U1);
    expect(data.entries.map((e) => [e.scope, e.key, e.value])).toEqual([
      [G1, 'voice', 'echo'],
      [G2, 'optOut', true],
      ['global', 'spokenName', 'Ally'],
    ]);
    expect(data.entries[0]!.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(store.deleteMember(U1)).toBe(3);
    expect(store.exportMember(U1).entries).toEqual([]);
    expect(store.member(G1, U1).guild.voice).toBeNull();
    expect(store.member(G1, U2).global.spokenName).toBe('Bee');
    expect(store.deleteMember(U1)).toBe(0);
  });

  it('everything survives closing and reopening the store', () => {
    store.setGuild(G1, 'voice', 'nova');
    store.setGuild(G1, 'read_emoji', 'skip');
    store.setMember('global', U1, { speed: 0.5 });
    store.close();
    store = open();
    expect(store.guild(G1).voice).toBe('nova');
    expect(store.guild(G1).read_emoji).toBe('skip');
    expect(store.member(G1, U1).global.speed).toBe(0.5);
  });

  it('reads after the first are served from memory: no SQL per message', () => {
    store.setMember({ guildId: G1 }, U1, { voice: 'echo' });
    store.guild(G1);
    store.member(G1, U1);
    store.member(G1, U2); // nothing stored: the empty answer is cached too
    const before = store.stats();
    for (let i = 0; i < 1000; i++) {
      store.guild(G1);
      store.member(G1, U1);
      store.member(G1, U2);
    }
    const after = store.stats();
    expect(after.queries - before.queries).toBe(0);
    expect(after.cachedReads - before.cachedReads).toBe(3000);
  });

  it('a write is visible to the next read (cache invalidated)', () => {
    expect(store.guild(G1).speed).toBeNull();
    store.setGuild(G1, 'speed', '3');
    expect(store.guild(G1).speed).toBe(3);
    expect(store.member(G1, U1).guild.voice).toBeNull();
    store.setMember({ guildId: G1 }, U1, { voice: 'nova' });
    expect(store.member(G1, U1).guild.voice).toBe('nova');
  });

  it('a stored value that no longer validates falls back to its default with a warning, keeping the rest', () => {
    store.setGuild(G1, 'voice', 'nova');
    store.setGuild(G1, 'speed', '2');
    store.setMember({ guildId: G1 }, U1, { voice: 'shimmer', speed: 1.5 });
    store.close();
    // An upgrade that dropped 'nova' and 'shimmer' from the configured voices.
    store = suite.open({ tts: { ...TTS, voices: ['alloy', 'echo'] }, logger: log.logger });
    expect(store.guild(G1).voice).toBeNull();
    expect(store.guild(G1).speed).toBe(2);
    expect(store.member(G1, U1).guild).toEqual({ voice: null, speed: 1.5, spokenName: null, optOut: null });
    const warnings = log.lines.filter((l) => l.level === 'warn').map((l) => [l.msg, l.key]);
    expect(warnings).toEqual([
      ['stored guild setting is no longer valid; using its default', 'voice'],
      ['stored member setting is no longer valid; ignoring it', 'voice'],
    ]);
  });

  it('rows written by a newer version (unknown keys, garbage JSON) are ignored without losing the rest', async () => {
    store.setGuild(G1, 'speed', '2');
    store.close();
    await rawSql(suite, 'INSERT INTO guild_settings VALUES (?, ?, ?, ?)', [G1, 'future_key', '"x"', 1]);
    await rawSql(suite, 'INSERT INTO guild_settings VALUES (?, ?, ?, ?)', [G1, 'read_max_chars', '{not json', 1]);
    store = open();
    expect(store.guild(G1).speed).toBe(2);
    expect(store.guild(G1).read_max_chars).toBe(300);
  });

  it('never logs member values or spoken names', () => {
    store.setMember('global', U1, { spokenName: 'Secret Name' });
    store.exportMember(U1);
    store.deleteMember(U1);
    expect(JSON.stringify(log.lines)).not.toContain('Secret Name');
  });

  it('the key list shown by /settings is every defined key', () => {
    expect([...GUILD_SETTING_KEYS].sort()).toEqual(Object.keys(guildSettingDefinitions(TTS)).sort());
  });

  it('refuses keys that are not settings, including names every object has', () => {
    for (const key of ['nope', 'constructor', 'toString', '__proto__']) {
      expect(() => store.setGuild(G1, key as never, '1')).toThrow(BotError);
    }
  });

  it('pacing keys: defaults 8 s and 1.6×, ranges enforced', () => {
    expect(store.guild(G1)).toMatchObject({ read_max_lag_s: 8, read_max_speed: 1.6 });
    expect(store.setGuild(G1, 'read_max_lag_s', '12').read_max_lag_s).toBe(12);
    expect(store.setGuild(G1, 'read_max_speed', '2.5').read_max_speed).toBe(2.5);
    for (const [key, value] of [['read_max_lag_s', '1'], ['read_max_lag_s', '61'], ['read_max_speed', '2.6'], ['read_max_speed', '0.5']] as const) {
      expect(() => store.setGuild(G1, key, value)).toThrow(BotError);
    }
  });
});
