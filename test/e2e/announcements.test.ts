import { describe, expect, it } from 'vitest';
import { durationFor, toneFor } from '../standins/speech/index.js';
import { heardItems, type VoiceSession } from '../standins/voice/index.js';
import { startWorld, useWorld, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';
// Speech requests only: a (re)started bot also asks GET /models, which has no body.
const speechSince = (w: World, since: number) => w.speech.requests.slice(since).filter((r) => r.method === 'POST');
const inputs = (w: World, since: number) => speechSince(w, since).map((r) => (r.body as { input: string }).input);
const within = (value: number, target: number, tolerance: number) => Math.abs(value - target) <= target * tolerance;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function run(w: World, member: string, command: string, subcommand: string, options: Record<string, string | number | boolean> = {}) {
  const h = w.command(member, command, options, subcommand);
  await h.waitFor((x) => content(x).length > 0, 15_000);
  return content(h);
}

/** Waits until the provider was asked for `n` requests since `since`; returns their inputs. */
async function requestsSince(w: World, since: number, n: number, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  while (speechSince(w, since).length < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} speech requests, got ${JSON.stringify(inputs(w, since))}`);
    await sleep(20);
  }
  return inputs(w, since);
}

/** The voice channel a voice session was opened for (from the VOICE_SERVER_UPDATE that granted it). */
const channelOf = (w: World, s: VoiceSession) => w.discord.voiceServerUpdates.find((u) => u.token === s.token)?.channelId;

/** Items heard in a session after `fromAt`, told apart by tone. */
const heardTones = (s: VoiceSession, fromAt = 0) => heardItems(s.utterances(50).filter((x) => x.startAt >= fromAt));

describe('join, leave and move announcements', () => {
  let w: World;
  useWorld(
    {
      guild: {
        extraMembers: [
          { username: 'robo', globalName: 'Robo', bot: true },
          { username: 'eve', globalName: 'Eve' },
          { username: 'anna', globalName: 'Anna', roles: ['Announcer'] },
        ],
        roles: [{ name: 'Announcer', permissions: '0' }],
      },
    },
    (started) => {
      w = started;
    },
  );

  it('says who came, went and moved in the bot’s channel: merged, flaps and bots left out, behind what is being said', async () => {
    w.join('alice', 'Lounge');
    w.join('bob', 'Lounge');
    expect(await run(w, 'dave', 'settings', 'set', { key: 'announce_joins', value: 'on' })).toMatch(/announce_joins/);
    expect(await run(w, 'carol', 'voice', 'set', { name: 'Caroline' })).toMatch(/Caroline/);
    // The bot's own arrival (and the members already there) is not announced: the first request below is Caroline's.
    let since = w.speech.requests.length;
    await run(w, 'alice', 'join', '');
    await w.discord.waitForBotVoice(w.guild.id, w.channelId('Lounge'));
    const session = w.voice.session(w.guild.id)!;

    // Two arrivals within the window → one sentence; the member's spoken name is used.
    w.join('carol', 'Lounge');
    await sleep(300);
    w.join('dave', 'Lounge');
    expect(await requestsSince(w, since, 1)).toEqual(['Caroline and Dave joined']);

    // A bot arriving, and a member in and out within the window: nothing at all.
    since = w.speech.requests.length;
    w.join('robo', 'Lounge');
    w.join('eve', 'Lounge');
    await sleep(300);
    w.join('eve', null);
    await sleep(3000);
    expect(inputs(w, since)).toEqual([]);

    // A move and a leave in one window: one announcement, in the guild's order (leaves, then moves).
    since = w.speech.requests.length;
    w.join('bob', 'Quiet');
    w.join('alice', null);
    expect(await requestsSince(w, since, 1)).toEqual(['Alice left. Bob moved to Quiet']);
    await session.waitForQuiet(400);

    // Behind what is being said, never cutting it.
    const long = 'This is a long thing Caroline wants everybody in the lounge to hear, all the way to the end.';
    const spoke = w.speak('carol', { text: long });
    await spoke.waitFor((h) => /Speaking in/.test(content(h)), 15_000);
    const startedAt = Date.now();
    w.join('eve', 'Lounge');
    await spoke.waitFor((h) => /Spoke in/.test(content(h)), 30_000);
    await sleep(500);
    await session.waitForQuiet(400);
    const tones = heardTones(session, startedAt - 3000);
    const speakIndex = tones.findIndex((t) => within(t.tone, toneFor(long), 0.03));
    const eveIndex = tones.findIndex((t) => within(t.tone, toneFor('Eve joined'), 0.03));
    expect(speakIndex).toBeGreaterThanOrEqual(0);
    expect(eveIndex).toBeGreaterThan(speakIndex);
    // The long item was heard in full: its audio lasted as long as the provider made it.
    expect(within(tones[speakIndex]!.ms, durationFor(long, 1) * 1000, 0.05)).toBe(true);
  });

  it('/announce now goes to another channel after the current item, says it, and comes back to the queue', async () => {
    // carol, dave and eve are in Lounge with the bot; bob is in Quiet.
    const sessionsBefore = w.voice.sessions.length;
    const first = 'Something long enough that the announcement has to wait for it to finish.';
    const second = 'And this one is said after the bot has come back.';
    const a = w.speak('carol', { text: first });
    await a.waitFor((h) => /Speaking in/.test(content(h)), 15_000);
    w.speak('dave', { text: second });
    const h = w.command('dave', 'announce', { text: 'Dinner is ready', channel: w.channelId('Quiet') }, 'now');
    await h.waitFor((x) => content(x).length > 0, 15_000);
    expect(h.ephemeral).toBe(true);
    expect(content(h)).toMatch(/go to .* after the current item/);
    await h.waitFor((x) => /Spoke in/.test(content(x)), 30_000);
    // Lounge (first item) → Quiet (the announcement) → Lounge (the rest of the queue).
    const pathNow = () =>
      w.voice.sessions
        .slice(sessionsBefore - 1)
        .filter((s) => s.guildId === w.guild.id)
        .map((s) => [channelOf(w, s), heardTones(s).map((t) => t.tone)] as const)
        .filter(([, tones]) => tones.length > 0);
    const deadline = Date.now() + 30_000;
    while (pathNow().length < 3 || !pathNow()[2]![1].some((t) => within(t, toneFor(second), 0.03))) {
      if (Date.now() > deadline) throw new Error(`heard so far: ${JSON.stringify(pathNow())}`);
      await sleep(100);
    }
    const path = pathNow();
    expect(path.map(([c]) => c)).toEqual([w.channelId('Lounge'), w.channelId('Quiet'), w.channelId('Lounge')]);
    // (A loaded machine may split one item into pieces; a piece too short to measure well is not held against it.)
    expect(path[0]![1].some((t) => within(t, toneFor(first), 0.03))).toBe(true);
    expect(path[1]![1].some((t) => within(t, toneFor('Dinner is ready'), 0.03))).toBe(true);
    expect(path[1]![1].some((t) => within(t, toneFor(first), 0.03) || within(t, toneFor(second), 0.03))).toBe(false);
    expect(path[2]![1].some((t) => within(t, toneFor(second), 0.03))).toBe(true);
    expect(path[2]![1].some((t) => within(t, toneFor('Dinner is ready'), 0.03))).toBe(false);
  });

  it('is refused to members without Manage Server or the announcer role', async () => {
    const h = w.command('eve', 'announce', { text: 'Hello everyone' }, 'now');
    await h.waitFor((x) => content(x).length > 0, 15_000);
    expect(h.ephemeral).toBe(true);
    expect(content(h)).toMatch(/Announcements are for members with Manage Server/);
  });

  it('the guild’s template, dictionary and announcer role apply; /announce now repeats in the voice asked for', async () => {
    // The bot is back in Lounge with carol, dave and eve.
    expect(await run(w, 'dave', 'settings', 'set', { key: 'announce_role', value: `<@&${w.guild.role('Announcer').id}>` })).toMatch(/announce_role/);
    expect(await run(w, 'dave', 'settings', 'set', { key: 'announce_join_template', value: '{name} is here' })).toMatch(/is here/);
    expect(await run(w, 'dave', 'dictionary', 'add', { word: 'Anna', reading: 'Anne Marie' })).toMatch(/Anne Marie/);
    const session = w.voice.session(w.guild.id)!;
    await session.waitForQuiet(400);

    let since = w.speech.requests.length;
    w.join('anna', 'Lounge');
    expect(await requestsSince(w, since, 1)).toEqual(['Anne Marie is here']);
    await session.waitForQuiet(400, 10_000);

    since = w.speech.requests.length;
    const startedAt = Date.now();
    const text = 'Please mute your microphones';
    const h = w.command('anna', 'announce', { text, repeat: 2, voice: 'nova' }, 'now');
    await h.waitFor((x) => /Spoke in/.test(content(x)), 30_000);
    expect(h.ephemeral).toBe(true);
    const asked = w.speech.requests.slice(since).map((r) => r.body as { input: string; voice: string });
    expect(asked.length).toBeGreaterThanOrEqual(1);
    expect(asked.every((b) => b.input === text && b.voice === 'nova')).toBe(true);
    await session.waitForQuiet(400, 10_000);
    // Said twice: the time heard in its tone is two items' worth.
    const heard = heardTones(session, startedAt).filter((t) => within(t.tone, toneFor(text), 0.03));
    const ms = heard.reduce((sum, t) => sum + t.ms, 0);
    expect(within(ms, 2 * durationFor(text, 1) * 1000, 0.1)).toBe(true);
  });
});

describe('scheduled announcements', () => {
  // The bot's clock starts at 08:58 UTC on 2026-11-25 and is moved by the test; timers run in real time.
  const at = (day: number, hh: number, mm: number, ss = 0) => Date.UTC(2026, 10, day, hh, mm, ss);

  it('fire once at their time, survive a restart, and skip a time missed while the bot was down', async () => {
    const w = await startWorld({ clockStartMs: at(25, 8, 58) });
    try {
      await w.startBot();
      w.join('alice', 'Lounge');
      const once = await run(w, 'dave', 'announce', 'schedule', { text: 'Standup starts now', at: '09:00', channel: w.channelId('Lounge') });
      expect(once).toMatch(/Scheduled \*\*#1\*\* in <#\d+>, once on 2026-11-25 at 09:00 \(UTC\)/);
      const daily = await run(w, 'dave', 'announce', 'schedule', { text: 'Time for a water break', at: '10:00', repeat: 'daily', channel: w.channelId('Lounge') });
      expect(daily).toMatch(/#2\*\* in <#\d+>, every day at 10:00 \(UTC\)/);

      let since = w.speech.requests.length;
      await w.setBotClock(at(25, 8, 59, 58));
      await sleep(1500);
      expect(inputs(w, since)).toEqual([]);
      await w.setBotClock(at(25, 9, 0, 0) + 200);
      expect(await requestsSince(w, since, 1)).toEqual(['Standup starts now']);
      const session = await w.voice.waitForSession(w.guild.id);
      expect(channelOf(w, session)).toBe(w.channelId('Lounge'));
      await session.waitForPackets(20, 10_000);
      await session.waitForQuiet(400, 10_000);
      expect(heardTones(session).map((t) => within(t.tone, toneFor('Standup starts now'), 0.03))).toEqual([true]);
      await sleep(2500);
      expect(inputs(w, since)).toEqual(['Standup starts now']);
      // A visit from outside voice ends by leaving.
      await w.discord.waitForBotVoice(w.guild.id, null);
      const list = await run(w, 'dave', 'announce', 'list');
      expect(list).not.toMatch(/\*\*#1\*\*/);
      expect(list).toMatch(/#2\*\* in <#\d+>, every day at 10:00 \(UTC\) · next <t:\d+:f>/);

      // Restarted just before 10:00: the daily schedule is still there and fires once.
      since = w.speech.requests.length;
      await w.restartBot({ clockStartMs: at(25, 9, 59, 57) });
      expect(await requestsSince(w, since, 1, 20_000)).toEqual(['Time for a water break']);
      await sleep(2500);
      expect(inputs(w, since)).toEqual(['Time for a water break']);

      // Down over the next day's 10:00 and back at 10:05: skipped with a log line, not said late.
      since = w.speech.requests.length;
      const bot = await w.restartBot({ clockStartMs: at(26, 10, 5) });
      await bot.waitForLine(/scheduled announcement missed/, 10_000);
      await sleep(2500);
      expect(inputs(w, since)).toEqual([]);
      expect(await run(w, 'dave', 'announce', 'list')).toMatch(new RegExp(`next <t:${at(27, 10, 0) / 1000}:f>`));
      expect(await run(w, 'dave', 'announce', 'cancel', { id: 2 })).toMatch(/#2 cancelled/);
      expect(await run(w, 'dave', 'announce', 'list')).toMatch(/No scheduled announcements/);
    } finally {
      await w.close();
    }
  }, 120_000);
});
