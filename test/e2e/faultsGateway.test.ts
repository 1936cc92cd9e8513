/**
 * Faults of Discord's main gateway while the bot speaks: op 7 Reconnect, op 9 Invalid Session (resumable or not),
 * and a socket that drops without a close frame. The bot resumes (or identifies anew); the queue continues or is
 * cleared with a message, never stuck.
 */
import { describe, expect, it } from 'vitest';
import { useWorld, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';
const speaking = (h: { message(): { content: string } | undefined }) => /Speaking in/.test(content(h));
const spoken = (h: { message(): { content: string } | undefined }) => /Spoke in/.test(content(h));
const over = (h: { message(): { content: string } | undefined }) => /Spoke in|Cut short|Not spoken/.test(content(h));

const LONG = 'A sentence that takes a few seconds to say, so that the gateway can misbehave while it is being said aloud.';

describe('gateway faults', () => {
  let w: World;
  useWorld({}, (started) => {
    w = started;
    w.join('alice', 'Lounge');
    w.join('bob', 'Lounge');
    // Discord: when the gateway session the voice connection belongs to is gone, the voice server closes with 4014.
    w.discord.onBotVoiceChange((change) => {
      if (change.reason === 'reidentified') w.voice.session(change.guildId)?.close(4014, 'Disconnected');
    });
  });

  it('op 7 Reconnect mid-item: the bot resumes (no new Identify), the item and the one behind it are spoken', async () => {
    const a = w.speak('alice', { text: `${LONG} Seven.` });
    const b = w.speak('bob', { text: 'Behind the reconnect' });
    await a.waitFor(speaking, 15_000);
    const identifies = w.discord.identifies.length;
    const resumes = w.discord.resumeAttempts.length;
    w.discord.requestReconnect();
    await w.discord.waitUntil(() => (w.discord.resumeAttempts.length > resumes ? true : undefined), 15_000, 'a resume');
    expect(w.discord.resumeAttempts.at(-1)).toMatchObject({ accepted: true });
    await a.waitFor(spoken, 30_000);
    await b.waitFor(spoken, 30_000);
    expect(w.discord.identifies.length).toBe(identifies);
  });

  it('the socket drops (1006) mid-item; a member joins meanwhile: resumed, the missed join replayed, the queue goes on', async () => {
    const a = w.speak('alice', { text: `${LONG} Drop.` });
    await a.waitFor(speaking, 15_000);
    const resumes = w.discord.resumeAttempts.length;
    w.discord.cutGateway();
    w.join('carol', 'Lounge');
    await w.discord.waitUntil(() => (w.discord.resumeAttempts.length > resumes ? true : undefined), 15_000, 'a resume');
    expect(w.discord.resumeAttempts.at(-1)!.accepted).toBe(true);
    expect(w.discord.resumeAttempts.at(-1)!.replayed).toBeGreaterThanOrEqual(1);
    await a.waitFor(spoken, 30_000);
    // carol's join happened while the bot was away; it knows she is in its channel, so she may use it.
    const c = w.speak('carol', { text: 'Carol was seen while the bot was away' });
    await c.waitFor(spoken, 30_000);
  });

  it('op 9 resumable (d=true): resumed on the same socket, the item is spoken', async () => {
    const a = w.speak('alice', { text: `${LONG} Nine true.` });
    await a.waitFor(speaking, 15_000);
    const identifies = w.discord.identifies.length;
    const resumes = w.discord.resumeAttempts.length;
    w.discord.invalidateSession(true);
    await w.discord.waitUntil(() => (w.discord.resumeAttempts.length > resumes ? true : undefined), 15_000, 'a resume');
    await a.waitFor(spoken, 30_000);
    expect(w.discord.identifies.length).toBe(identifies);
  });

  it('op 9 not resumable (d=false): the bot identifies anew; the queue is cleared with a message or goes on; the next request works', async () => {
    const a = w.speak('alice', { text: `${LONG} Nine false.` });
    const b = w.speak('bob', { text: 'Waiting during the new session' });
    await a.waitFor(speaking, 15_000);
    const identifies = w.discord.identifies.length;
    w.discord.invalidateSession(false);
    await w.discord.waitUntil(() => (w.discord.identifies.length > identifies ? true : undefined), 30_000, 'a new Identify');
    await a.waitFor(over, 30_000);
    await b.waitFor(over, 30_000);
    for (const h of [a, b]) expect(content(h)).toMatch(/Spoke in|I was disconnected/);
    console.info(`[figure] after op 9 d=false: “${content(a)}” / “${content(b)}”`);
    await w.discord.waitForReady(15_000);
    const c = w.speak('alice', { text: 'After the new session' });
    await c.waitFor(spoken, 30_000);
  });

  it('the bot is still running, and nothing it sent went unhandled', () => {
    expect(w.bot!.proc.exitCode).toBeNull();
    expect(w.discord.unhandled).toEqual([]);
  });
});
