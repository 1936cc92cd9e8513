import { afterEach, describe, expect, it } from 'vitest';
import { durationFor, toneFor } from '../standins/speech/index.js';
import { heardItems } from '../standins/voice/index.js';
import { startWorld, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined; followups(): Array<{ content: string }> }) =>
  h.followups().at(-1)?.content ?? h.message()?.content ?? '';

describe('clean shutdown on SIGTERM', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('the item being said is heard to its end, waiting members are told, the bot leaves voice, exits 0 in time, and the next start opens the same database', async () => {
    w = await startWorld({ env: { SHUTDOWN_GRACE_S: '5' } });
    const world = w;
    const bot = await world.startBot();
    world.join('alice', 'Lounge');
    world.join('bob', 'Lounge');
    const set = world.command('dave', 'settings', { key: 'voice', value: 'nova' }, 'set');
    await set.waitFor((x) => /nova/.test(content(x)), 15_000);

    const text = 'This sentence is being said while the bot is asked to stop, and must be heard whole.';
    const first = world.speak('alice', { text });
    const second = world.speak('bob', { text: 'Waiting behind it, never to be said' });
    await first.waitFor((x) => /Spoke|Speaking|Queued/.test(content(x)), 20_000);
    const session = await world.voice.waitForSession(world.guild.id);
    await session.waitForPackets(20, 20_000); // 400 ms of it heard
    const sentAt = performance.now();
    bot.proc.kill('SIGTERM');

    // A command arriving now is turned away with a reason.
    await bot.waitForLine(/"shutting down"/, 5_000);
    const late = world.command('carol', 'queue');
    await late.waitFor((x) => /restarting/i.test(content(x)), 10_000);

    const code = await bot.exited;
    const exitMs = performance.now() - sentAt;
    console.info(`[figure] SIGTERM to exit ${exitMs.toFixed(0)} ms (item of ${(durationFor(text) * 1000).toFixed(0)} ms, 400 ms of it heard before)`);
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(5_000 + 5_000);

    // Heard to its end: one item, the whole clip, the first request's tone.
    const items = heardItems(session.utterances(50));
    expect(items).toHaveLength(1);
    expect(Math.abs(items[0]!.tone - toneFor(text)) / toneFor(text)).toBeLessThan(0.03);
    const heardMs = items[0]!.ms;
    expect(Math.abs(heardMs - durationFor(text) * 1000) / (durationFor(text) * 1000)).toBeLessThan(0.05);
    expect(content(first)).toMatch(/Spoke in/);
    // The waiting member is told it was not said, and why.
    expect(content(second)).toMatch(/Not spoken: I’m restarting/);
    // It left voice properly: an op 4 with no channel, after the SIGTERM.
    expect(world.discord.botVoiceOps.at(-1)).toMatchObject({ guildId: world.guild.id, channelId: null, outcome: 'left' });
    expect(world.discord.botVoiceChannel(world.guild.id)).toBeNull();
    expect(bot.output.some((l) => /"shut down cleanly"/.test(l))).toBe(true);

    // The next start opens the same database without complaint, settings intact.
    const next = await world.restartBot();
    const view = world.command('dave', 'settings', {}, 'view');
    await view.waitFor((x) => /nova/.test(content(x)), 15_000);
    expect(next.output.filter((l) => /"level":"(error|fatal)"/.test(l))).toEqual([]);
  }, 120_000);

  it('an item longer than the grace time is cut at the grace time, and the process still exits 0 within grace + 5 s', async () => {
    w = await startWorld({ env: { SHUTDOWN_GRACE_S: '1' } });
    const world = w;
    const bot = await world.startBot();
    world.join('alice', 'Lounge');
    const text = 'A long item that will not be allowed to finish, because the grace time is only one second, so it is cut short.';
    const first = world.speak('alice', { text });
    const session = await world.voice.waitForSession(world.guild.id);
    await session.waitForPackets(10, 20_000);
    const sentAt = performance.now();
    bot.proc.kill('SIGTERM');
    const code = await bot.exited;
    const exitMs = performance.now() - sentAt;
    console.info(`[figure] grace 1 s, item ${(durationFor(text) * 1000).toFixed(0)} ms: SIGTERM to exit ${exitMs.toFixed(0)} ms`);
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(1_000 + 5_000);
    const heardMs = session.utterances(50).reduce((sum, u) => sum + u.durationMs, 0);
    expect(heardMs).toBeLessThan(durationFor(text) * 1000 - 1_000);
    expect(content(first)).toMatch(/Cut short: I’m restarting/);
    expect(world.discord.botVoiceChannel(world.guild.id)).toBeNull();
    world.bot = undefined; // it exited as asked, not on its own
  }, 120_000);
});
