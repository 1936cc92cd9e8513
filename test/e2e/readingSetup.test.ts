import { GatewayIntentBits } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { runScript } from './botProcess.js';
import { startWorld, type World } from './world.js';

const MESSAGE_CONTENT = GatewayIntentBits.MessageContent;
const NOT_MESSAGE_CONTENT = GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences;

/** READING_ENABLED=auto (the default) asks for Message Content only when the Developer Portal allows it. */
describe('zero-guess reading set-up', () => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  it('auto, portal switch off: starts without the intent (no 4014), and /read and /diagnose say which switch is off', async () => {
    w = await startWorld({ discord: { allowedPrivilegedIntents: NOT_MESSAGE_CONTENT } });
    const bot = await w.startBot();
    expect(w.discord.identifies.length).toBeGreaterThan(0);
    for (const { intents } of w.discord.identifies) expect(intents & MESSAGE_CONTENT).toBe(0);
    expect(bot.output.some((l) => /"case":"auto-not-allowed"/.test(l))).toBe(true);
    const read = w.command('dave', 'read', { channel: w.channelId('chat') }, 'enable');
    await read.waitFor((x) => (x.message()?.content ?? '').length > 0, 15_000);
    expect(read.message()!.content).toMatch(/Message Content.*not switched on.*Developer Portal/s);
    const diagnose = w.command('dave', 'diagnose');
    await diagnose.waitFor((x) => (x.message()?.content ?? '').length > 0, 15_000);
    expect(diagnose.message()!.content).toMatch(/reading messages aloud: off: the \*\*Message Content\*\* intent is not switched on/);
  });

  it('auto, portal switch on: asks for the intent and reads', async () => {
    w = await startWorld({ discord: { allowedPrivilegedIntents: NOT_MESSAGE_CONTENT | MESSAGE_CONTENT } });
    const bot = await w.startBot();
    expect(w.discord.identifies.at(-1)!.intents & MESSAGE_CONTENT).toBe(MESSAGE_CONTENT);
    expect(bot.output.some((l) => /"case":"auto-allowed"/.test(l))).toBe(true);
  });

  it('true, portal switch off: start-up stops with one line naming the switch, before any Identify', async () => {
    w = await startWorld({ discord: { allowedPrivilegedIntents: NOT_MESSAGE_CONTENT }, env: { READING_ENABLED: 'true' } });
    const bot = runScript('scripts/start.ts', w.env);
    expect(await bot.exited).toBe(1);
    const problem = bot.output.filter((l) => !l.startsWith('{'));
    expect(problem).toHaveLength(1);
    expect(problem[0]).toMatch(/READING_ENABLED=true, but the Message Content intent is not switched on.*Developer Portal.*Message Content Intent/);
    expect(w.discord.identifies).toEqual([]);
  });
});
