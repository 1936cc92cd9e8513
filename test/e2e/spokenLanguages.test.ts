import { describe, expect, it } from 'vitest';
import { distinctVoice } from '../../src/features/reading/readFilter.js';
import { useWorld, type MemberName, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';
const sent = (w: World, since: number) => w.speech.requests.slice(since).map((r) => r.body as { input: string; voice: string });

/**
 * A Japanese server (preferred locale ja, no `language` set) on a Kokoro-like provider whose voices each speak one
 * language: read in Japanese with the Japanese voice; then the moderator sets `language` to de and the bot speaks German.
 */
describe('spoken languages, end to end', () => {
  let w: World;
  useWorld(
    {
      speech: { personality: 'kokoro' },
      guild: { locale: 'ja' },
      env: {
        READING_ENABLED: 'true',
        TTS_MODELS: 'kokoro',
        TTS_DEFAULT_MODEL: 'kokoro',
        TTS_VOICES: 'af_heart,jf_alpha,zf_xiaobei',
        TTS_DEFAULT_VOICE: 'af_heart',
        TTS_LANGUAGE_VOICES: 'ja:jf_alpha,zh-CN:zf_xiaobei',
        // Long reads are spoken in sentence parts from 100 characters on (default 300).
        TTS_PIPELINE_MIN_CHARS: '100',
      },
    },
    (started) => {
      w = started;
    },
  );

  async function run(member: MemberName, command: string, subcommand: string, options: Record<string, string | number | boolean> = {}) {
    const h = w.command(member, command, options, subcommand);
    await h.waitFor((x) => content(x).length > 0, 15_000);
    return content(h);
  }
  const post = (member: MemberName, text: string) => w.discord.postMessage({ guildId: w.guild.id, channelId: 'chat', authorId: member, content: text });
  async function waitForInput(since: number, match: (input: string) => boolean): Promise<void> {
    await w.discord.waitUntil(() => (sent(w, since).some((r) => match(r.input)) ? true : undefined), 15_000);
  }

  it('a Japanese channel: さん after the name, the dictionary inside unspaced text, parts cut at 。！, the Japanese voice', async () => {
    await run('dave', 'read', 'enable', { channel: w.channelId('chat') });
    expect(await run('dave', 'dictionary', 'add', { word: '草', reading: 'わら' })).toMatch(/わら/);
    w.join('alice', 'Lounge');
    w.join('bob', 'Lounge');
    await run('alice', 'join', '');
    await w.discord.waitForBotVoice(w.guild.id, w.channelId('Lounge'));
    const since = w.speech.requests.length;
    const text =
      '今日はDiscordでみんなとゲームをしました。とても楽しかったです！最初は負けてばかりでしたが、だんだん上手になりました。' +
      '夜になってからは別のゲームもやってみました。明日もまた同じ時間に集まりましょう。よろしくお願いします草';
    post('alice', text);
    await waitForInput(since, (input) => input.endsWith('わら'));
    const parts = sent(w, since);
    const said = `Aliceさん、${text.replace('草', 'わら')}`;
    expect(parts.map((p) => p.input).join('')).toBe(said);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const part of parts.slice(0, -1)) expect(part.input).toMatch(/[。！]$/);
    expect(new Set(parts.map((p) => p.voice))).toEqual(new Set(['jf_alpha']));
  });

  it('with language de, a message is read as “Bob sagte: …” (no German voice set: the default voice), /voice sample speaks German, and a join is announced in German', async () => {
    expect(await run('dave', 'settings', 'set', { key: 'language', value: 'de' })).toMatch(/language/);
    await run('dave', 'settings', 'set', { key: 'announce_joins', value: 'on' });
    // Nothing left playing from the Japanese test: a message waiting behind it would be shortened by reading's pacing.
    await w.voice.session(w.guild.id)!.waitForQuiet(500);
    const since = w.speech.requests.length;
    post('bob', 'Guten Morgen 😀 https://www.example.com/seite');
    await waitForInput(since, (input) => input.startsWith('Bob sagte:'));
    const read = sent(w, since).find((r) => r.input.startsWith('Bob sagte:'))!;
    expect(read).toMatchObject({ input: 'Bob sagte: Guten Morgen grinsendes Gesicht ein Link zu example.com', voice: 'af_heart' });

    const beforeSample = w.speech.requests.length;
    await run('bob', 'voice', 'sample');
    await waitForInput(beforeSample, (input) => input.startsWith('Hallo!'));
    expect(sent(w, beforeSample).map((r) => r.input)).toContain('Hallo! So klinge ich, wenn ich für dich vorlese.');

    const beforeJoin = w.speech.requests.length;
    w.join('carol', 'Lounge');
    await waitForInput(beforeJoin, (input) => input.includes('Carol'));
    expect(sent(w, beforeJoin).map((r) => r.input)).toContain('Carol ist beigetreten');
  });

  it('distinct voices in a German server never hand out a voice TTS_LANGUAGE_VOICES keeps for Japanese or Chinese', async () => {
    await run('dave', 'settings', 'set', { key: 'read_distinct_voices', value: 'on' });
    // A member whom a hash over every voice would give a Japanese or Chinese one.
    const member = (['alice', 'bob', 'carol'] as const).find((m) => distinctVoice(w.guild.member(m).id, ['af_heart', 'jf_alpha', 'zf_xiaobei']) !== 'af_heart');
    expect(member).toBeDefined();
    const since = w.speech.requests.length;
    post(member!, 'Noch eine Nachricht');
    await waitForInput(since, (input) => input.endsWith('Noch eine Nachricht'));
    expect(sent(w, since).find((r) => r.input.endsWith('Noch eine Nachricht'))!.voice).toBe('af_heart');
  });
});
