import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScript } from './botProcess.js';
import { useWorld, type MemberName, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';

describe('settings that survive a restart', () => {
  let w: World;
  useWorld({ env: { READING_ENABLED: 'false' } }, (started) => {
    w = started;
  });

  /** Runs a command and waits for its reply text. */
  async function run(member: MemberName, command: string, subcommand: string, options: Record<string, string | number | boolean> = {}) {
    const h = w.command(member, command, options, subcommand);
    await h.waitFor((x) => content(x).length > 0 || x.followups().length > 0, 15_000);
    return content(h) || h.followups()[0]!.content;
  }

  /** /speak as a file; returns the body the provider received. */
  async function heard(member: MemberName, options: Record<string, string | number> = {}) {
    const text = `Settings probe ${Math.random().toString(36).slice(2, 8)}`;
    const h = w.speak(member, { text, output: 'file', ...options });
    await h.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 15_000);
    const request = w.speech.requests.find((r) => (r.body as { input?: string } | null)?.input === text)!;
    const body = request.body as { voice: string; speed: number; model: string };
    return { voice: body.voice, speed: body.speed, model: body.model };
  }

  it('moderators set server defaults; members set their own; the most specific wins', async () => {
    expect(await run('dave', 'settings', 'set', { key: 'voice', value: 'nova' })).toMatch(/voice is now \*\*nova\*\*/);
    expect(await run('dave', 'settings', 'set', { key: 'speed', value: '1.25' })).toMatch(/speed is now \*\*1.25\*\*/);
    expect(await run('alice', 'voice', 'set', { voice: 'echo' })).toMatch(/Saved for this server/);
    expect(await run('bob', 'voice', 'set', { speed: 2, everywhere: true })).toMatch(/Saved for every server/);

    expect(await heard('carol')).toEqual({ voice: 'nova', speed: 1.25, model: 'gpt-4o-mini-tts' }); // guild
    expect(await heard('alice')).toEqual({ voice: 'echo', speed: 1.25, model: 'gpt-4o-mini-tts' }); // member > guild
    expect(await heard('bob')).toEqual({ voice: 'nova', speed: 2, model: 'gpt-4o-mini-tts' }); // member global > guild
    expect(await heard('alice', { voice: 'shimmer', speed: 0.5 })).toEqual({ voice: 'shimmer', speed: 0.5, model: 'gpt-4o-mini-tts' }); // command wins
  });

  it('bad values get a reply naming what is allowed; only Manage Server sees /settings', async () => {
    expect(await run('dave', 'settings', 'set', { key: 'speed', value: 'fast' })).toMatch(/0\.25.*4/);
    expect(await run('dave', 'settings', 'set', { key: 'voice', value: 'robot' })).toMatch(/alloy, ash/);
    expect(() => w.command('alice', 'settings', {}, 'view')).toThrow(/permission/i);
  });

  it('everything survives a restart of the bot process', async () => {
    await w.restartBot();
    const view = await run('dave', 'settings', 'view');
    expect(view).toMatch(/voice: \*\*nova\*\*/);
    expect(view).toMatch(/speed: \*\*1.25\*\*/);
    expect(await run('alice', 'voice', 'show')).toMatch(/Here: voice: echo/);
    expect(await heard('bob')).toEqual({ voice: 'nova', speed: 2, model: 'gpt-4o-mini-tts' });
  });

  it('/privacy shows what is stored and deletes it everywhere', async () => {
    const shown = w.command('alice', 'privacy', {}, 'show');
    await shown.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 15_000);
    expect(shown.ephemeral).toBe(true);
    expect(content(shown)).toMatch(/voice: "echo"/);
    const data = JSON.parse(shown.message()!.attachments[0]!.data.toString('utf8')) as { userId: string };
    expect(data.userId).toBe(w.guild.member('alice').id);
    // Her one setting, and her usage total of this month (what she had spoken is counted for /usage).
    const usage = (JSON.parse(shown.message()!.attachments[0]!.data.toString('utf8')) as { usage: Array<{ chars: number }> }).usage;
    expect(usage).toHaveLength(1);
    expect(usage[0]!.chars).toBeGreaterThan(0);
    expect(await run('alice', 'privacy', 'delete')).toMatch(/Deleted 2 stored entries \(settings and usage totals\)/);
    expect(await run('alice', 'privacy', 'show')).toMatch(/store nothing about you/);
    expect(await heard('alice')).toEqual({ voice: 'nova', speed: 1.25, model: 'gpt-4o-mini-tts' });
  });

  it('/voice sample returns a private file in the member’s voice when they are not with the bot', async () => {
    const h = w.command('bob', 'voice', {}, 'sample');
    await h.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 15_000);
    expect(h.ephemeral).toBe(true);
    expect(content(h)).toMatch(/nova at 2×/);
  });

  it('a corrupt settings file stops the start with one message naming the path, and is left untouched', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'speech-bot-corrupt-'));
    const file = join(dataDir, 'settings.sqlite');
    const garbage = Buffer.from('not a database '.repeat(500));
    await writeFile(file, garbage);
    const bot = runScript('scripts/start.ts', { ...w.env, DATA_DIR: dataDir });
    expect(await bot.exited).toBe(1);
    const out = bot.output.join('\n');
    expect(out).toContain(`Settings database ${file} is not a readable SQLite database`);
    expect(out).not.toMatch(/\n\s+at /); // no stack trace
    expect((await readFile(file)).equals(garbage)).toBe(true);
  });

  it('/settings offers its keys by autocomplete (more than Discord’s 25 choices) and refuses a key that is not one', async () => {
    const ask = (typed: string) =>
      w.discord.autocomplete({ guildId: w.guild.id, channelId: w.channelId('general'), userId: w.guild.member('dave').id, command: 'settings', subcommand: 'set', options: { key: typed }, focused: 'key' });
    const lag = await ask('read_max_l');
    expect(lag.map((c) => c.value)).toEqual(['read_max_lag_s']);
    expect(String(lag[0]!.name)).toMatch(/^read_max_lag_s: /);
    expect((await ask('')).length).toBe(25);
    expect((await ask('speed')).map((c) => c.value)).toEqual(expect.arrayContaining(['speed', 'read_max_speed']));
    expect(await run('dave', 'settings', 'set', { key: 'read_max_lag_s', value: '12' })).toMatch(/read_max_lag_s is now \*\*12\*\*/);
    expect(await run('dave', 'settings', 'set', { key: 'read_max_speed', value: '3' })).toMatch(/read_max_speed must be a number from 1 to 2\.5/);
    expect(await run('dave', 'settings', 'set', { key: 'loudness', value: '3' })).toMatch(/no setting called loudness/);
    expect(await run('dave', 'settings', 'reset', { key: 'constructor' })).toMatch(/no setting called constructor/);
    expect(await run('dave', 'settings', 'reset', { key: 'read_max_lag_s' })).toMatch(/read_max_lag_s is back to its default \(8\)/);
  });

  it('/voice set offers the configured voices as the member types', async () => {
    const choices = await w.discord.autocomplete({
      guildId: w.guild.id,
      channelId: w.channelId('general'),
      userId: w.guild.member('carol').id,
      command: 'voice',
      subcommand: 'set',
      options: { voice: 'sh' },
      focused: 'voice',
    });
    expect(choices).toEqual([
      { name: 'shimmer', value: 'shimmer' },
      { name: 'ash', value: 'ash' },
    ]);
  });

  it('with READING_ENABLED=false the bot asks for no message content, and /read says what is missing', async () => {
    const MESSAGE_CONTENT = 1 << 15;
    expect(w.discord.identifies.length).toBeGreaterThan(0);
    for (const intents of w.discord.identifies.map((i) => i.intents)) expect(intents & MESSAGE_CONTENT).toBe(0);
    const reply = await run('dave', 'read', 'enable', { channel: w.channelId('chat') });
    expect(reply).toMatch(/READING_ENABLED=false.*Message Content/s);
    expect(await run('dave', 'read', 'status')).toMatch(/No channel is read aloud[\s\S]*READING_ENABLED/);
  });
});
