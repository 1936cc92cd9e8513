/**
 * Faults of Discord's voice servers, driven through the voice stand-in: close codes (Discord's "Voice Close Event
 * Codes") and network loss. Each ends with the queue moving on and the asker told.
 */
import { describe, expect, it } from 'vitest';
import { toneFor } from '../standins/speech/index.js';
import { heardItems } from '../standins/voice/index.js';
import { useWorld, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';
const speaking = (h: { message(): { content: string } | undefined }) => /Speaking in/.test(content(h));
const spoken = (h: { message(): { content: string } | undefined }) => /Spoke in/.test(content(h));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function poll(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A long enough text that the item is still playing when the fault hits. */
const LONG = 'This sentence is long enough to still be playing when the voice server misbehaves, and then some more words.';

describe('voice server faults', () => {
  let w: World;
  // A short voice heartbeat so a lost network is noticed within seconds (Discord: 13.75 s).
  useWorld({ voice: { heartbeatIntervalMs: 500 } }, (started) => {
    w = started;
    w.join('alice', 'Lounge');
    w.join('bob', 'Lounge');
  });

  /** Op 4 joins of the same channel the bot sent (a re-join) since `from`. */
  const rejoinOps = (from: number) => w.discord.botVoiceOps.slice(from).filter((op) => op.outcome === 'rejoined' || op.outcome === 'joined').length;

  it('4014 with a kick: the asker and the waiting are told, no re-join, the next request joins afresh', async () => {
    const a = w.speak('alice', { text: `${LONG} Kick.` });
    const b = w.speak('bob', { text: 'Waiting behind the kicked one' });
    await a.waitFor(speaking, 15_000);
    const session = w.voice.session(w.guild.id)!;
    const identifies = w.voice.identifies(w.guild.id);
    const ops = w.discord.botVoiceOps.length;
    // Discord: the member list loses the bot, then its voice server closes the socket with 4014.
    w.discord.disconnectBot(w.guild.id);
    session.close(4014, 'Disconnected');
    await a.waitFor((h) => /Cut short: I was disconnected/.test(content(h)), 10_000);
    await b.waitFor((h) => /Not spoken: I was disconnected/.test(content(h)), 10_000);
    await sleep(1000);
    expect(w.voice.identifies(w.guild.id)).toBe(identifies);
    expect(rejoinOps(ops)).toBe(0);
    const c = w.speak('alice', { text: 'After the kick' });
    await c.waitFor(spoken, 20_000);
  });

  it('4014 with a move by a moderator: what was queued is dropped with a reason, the bot speaks in its new channel', async () => {
    const a = w.speak('alice', { text: `${LONG} Move.` });
    await a.waitFor(speaking, 15_000);
    const old = w.voice.session(w.guild.id)!;
    w.join('carol', 'Quiet');
    w.discord.moveBot(w.guild.id, w.channelId('Quiet'));
    old.close(4014, 'Disconnected');
    await a.waitFor((h) => /Cut short: I was moved/.test(content(h)), 10_000);
    const c = w.speak('carol', { text: 'Hello from Quiet' });
    await c.waitFor(spoken, 20_000);
    expect(w.discord.botVoiceChannel(w.guild.id)).toBe(w.channelId('Quiet'));
    const leave = w.command('carol', 'leave');
    await leave.waitFor((h) => /Left/.test(content(h)), 10_000);
    w.join('carol', null);
    await w.discord.waitForBotVoice(w.guild.id, null);
  });

  it('4015 (voice server crashed): the bot resumes the same session and the item plays to its end', async () => {
    const text = `${LONG} Crash.`;
    const a = w.speak('alice', { text });
    await a.waitFor(speaking, 15_000);
    const session = w.voice.session(w.guild.id)!;
    const identifies = w.voice.identifies(w.guild.id);
    const before = session.packetCount;
    session.close(4015, 'Voice server crashed');
    await a.waitFor(spoken, 30_000);
    expect(session.resumes).toBeGreaterThanOrEqual(1);
    expect(w.voice.identifies(w.guild.id)).toBe(identifies);
    expect(session.packetCount).toBeGreaterThan(before);
    const next = w.speak('bob', { text: 'After the crash' });
    await next.waitFor(spoken, 20_000);
    expect(w.voice.session(w.guild.id)).toBe(session);
  });

  for (const [code, told] of [
    [4017, /Cut short: Discord refused my voice connection: it requires end-to-end encryption/],
    [4021, /Cut short: Discord is rate-limiting my voice connections/],
    [4022, /Cut short: Discord ended the call/],
  ] as const) {
    it(`${code}: not re-joined (Discord: should not reconnect); the asker is told why; a later request joins afresh`, async () => {
      const a = w.speak('alice', { text: `${LONG} ${code}.` });
      const b = w.speak('bob', { text: `Behind ${code}` });
      await a.waitFor(speaking, 15_000);
      const session = w.voice.session(w.guild.id)!;
      const identifies = w.voice.identifies(w.guild.id);
      const ops = w.discord.botVoiceOps.length;
      session.close(code, 'refused by the test');
      await a.waitFor((h) => told.test(content(h)), 10_000);
      await b.waitFor((h) => /Not spoken: /.test(content(h)), 10_000);
      await w.discord.waitForBotVoice(w.guild.id, null);
      await sleep(1000);
      expect(w.voice.identifies(w.guild.id)).toBe(identifies);
      expect(rejoinOps(ops)).toBe(0);
      const next = w.speak('alice', { text: `Fresh start after ${code}` });
      await next.waitFor(spoken, 20_000);
    });
  }

  it('UDP silence (audio lost on the way): the queue goes on, and what comes after the outage is heard', async () => {
    const a = w.speak('alice', { text: `${LONG} Lost.` });
    const b = w.speak('bob', { text: 'Heard after the outage' });
    await a.waitFor(speaking, 15_000);
    w.voice.setUdpSilence(true);
    await a.waitFor(spoken, 30_000);
    w.voice.setUdpSilence(false);
    await b.waitFor(spoken, 30_000);
    expect(w.voice.udpDropped).toBeGreaterThan(10);
    const session = w.voice.session(w.guild.id)!;
    await session.waitForQuiet(250);
    const last = heardItems(session.utterances(50)).at(-1)!;
    expect(Math.abs(last.tone - toneFor('Heard after the outage'))).toBeLessThan(toneFor('Heard after the outage') * 0.03);
  });

  it('network loss (UDP silent, heartbeats unanswered): the library resumes once the route is back; nothing is stuck', async () => {
    const a = w.speak('alice', { text: `${LONG} Outage.` });
    await a.waitFor(speaking, 15_000);
    const session = w.voice.session(w.guild.id)!;
    const resumes = session.resumes;
    w.voice.setUdpSilence(true);
    session.stopAnsweringHeartbeats();
    // Three unanswered heartbeats (500 ms apart) and the client closes and resumes on a new socket.
    await poll(() => session.resumes > resumes, 15_000, 'a voice resume');
    w.voice.setUdpSilence(false);
    await a.waitFor((h) => /Spoke in|Cut short/.test(content(h)), 30_000);
    const next = w.speak('bob', { text: 'After the network came back' });
    await next.waitFor(spoken, 30_000);
    expect(w.bot!.proc.exitCode).toBeNull();
  });
});
