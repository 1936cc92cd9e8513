import { describe, expect, it } from 'vitest';
import { useWorld, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';
const spoken = (h: { message(): { content: string } | undefined }) => /Spoke in/.test(content(h));

describe('voice edge cases', () => {
  let w: World;
  useWorld({ env: { QUEUE_MAX_PER_MEMBER: '2' } }, (started) => {
    w = started;
    w.join('alice', 'Lounge');
    w.join('bob', 'Lounge');
  });

  it('a member’s queue is bounded, with a clear private reply', async () => {
    const a = w.speak('alice', { text: 'One of mine, said slowly enough to fill a queue.' });
    const b = w.speak('alice', { text: 'Two of mine' });
    await b.waitFor((h) => /Queued at position 2/.test(content(h)), 15_000);
    const c = w.speak('alice', { text: 'Three is too many' });
    await c.waitFor((h) => /already have 2 items waiting/.test(content(h)), 10_000);
    expect(c.ephemeral).toBe(true);
    await Promise.all([a.waitFor(spoken, 20_000), b.waitFor(spoken, 20_000)]);
  });

  it('moved by a moderator: pending items are dropped with a reason, the bot stays where it was put', async () => {
    const a = w.speak('alice', { text: 'Playing while a moderator drags me elsewhere.' });
    const b = w.speak('bob', { text: 'Meant for the Lounge only' });
    await a.waitFor((h) => /Speaking in/.test(content(h)), 15_000);
    w.join('carol', 'Quiet');
    w.discord.moveBot(w.guild.id, w.channelId('Quiet'));
    await a.waitFor((h) => /Cut short: I was moved/.test(content(h)), 10_000);
    await b.waitFor((h) => /Not spoken: I was moved/.test(content(h)), 10_000);
    // Lounge members no longer control it; Quiet members do.
    const stop = w.command('alice', 'stop');
    await stop.waitFor((h) => /Join it to control me/.test(content(h)), 10_000);
    const c = w.speak('carol', { text: 'Hello Quiet' });
    await c.waitFor(spoken, 20_000);
    const leave = w.command('carol', 'leave');
    await leave.waitFor((h) => /Left/.test(content(h)), 10_000);
    w.join('carol', null);
  });

  it('a voice server that ends the call (4022) is not re-joined in a loop; the asker is told', async () => {
    const a = w.speak('alice', { text: 'This call will be terminated by the server.' });
    await a.waitFor((h) => /Speaking in/.test(content(h)), 15_000);
    const session = w.voice.session(w.guild.id)!;
    const identifies = w.voice.identifies(w.guild.id);
    session.close(4022, 'call terminated');
    await a.waitFor((h) => /Cut short: Discord ended the call/.test(content(h)), 10_000);
    await w.discord.waitForBotVoice(w.guild.id, null);
    await new Promise((r) => setTimeout(r, 1000));
    expect(w.voice.identifies(w.guild.id)).toBe(identifies);
    const next = w.speak('alice', { text: 'Fresh start' });
    await next.waitFor(spoken, 20_000);
  });

  it('a voice server that keeps dropping the session is re-joined at most a few times', async () => {
    const a = w.speak('alice', { text: 'Flaky voice server ahead, hold on to your hats.' });
    await a.waitFor((h) => /Speaking in/.test(content(h)), 15_000);
    const start = w.voice.identifies(w.guild.id);
    for (let i = 0; i < 8; i++) {
      const s = w.voice.session(w.guild.id)!;
      s.close(4006, 'session no longer valid');
      await w.voice.waitForSession(w.guild.id, 3000, { after: s }).catch(() => undefined);
      if (w.discord.botVoiceChannel(w.guild.id) === null) break;
    }
    await a.waitFor((h) => /Cut short: I was disconnected/.test(content(h)), 15_000);
    const rejoins = w.voice.identifies(w.guild.id) - start;
    console.info(`[figure] re-joins after repeated 4006 closes: ${rejoins}`);
    expect(rejoins).toBeLessThanOrEqual(4);
  });
});
