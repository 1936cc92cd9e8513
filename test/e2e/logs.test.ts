import { describe, expect, it } from 'vitest';
import { useWorld, type World } from './world.js';

/** Logs for people: LOG_FORMAT=pretty, interaction fields on every line, level switched by SIGUSR2. */
describe('logs', () => {
  let w: World;
  useWorld({ env: { LOG_FORMAT: 'pretty', LOG_LEVEL: 'info' } }, (started) => {
    w = started;
  });

  it('pretty lines carry guild, channel, interaction id and command; no message text; SIGUSR2 turns debug on and off', async () => {
    const bot = w.bot!;
    expect(bot.output.some((l) => /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: connected to Discord/.test(l))).toBe(true);
    expect(bot.output.some((l) => l.startsWith('{"level"'))).toBe(false);

    w.join('alice', 'Lounge');
    const secret = 'Pineapple umbrella fourteen';
    const h = w.speak('alice', { text: secret });
    await h.waitFor((x) => /Spoke in/.test(x.message()?.content ?? ''), 20_000);
    const done = await bot.waitForLine(/command done/, 10_000);
    expect(done).toContain(`"guildId":"${w.guild.id}"`);
    expect(done).toContain(`"channelId":"${w.channelId('general')}"`);
    expect(done).toContain(`"interactionId":"${h.id}"`);
    expect(done).toContain('"command":"speak"');
    expect(bot.output.join('\n')).not.toContain(secret);
    expect(bot.output.some((l) => / DEBUG: /.test(l))).toBe(false);

    bot.proc.kill('SIGUSR2');
    await bot.waitForLine(/log level changed \(SIGUSR2\).*"to":"debug"/, 10_000);
    const again = w.speak('alice', { text: 'Now with debug lines' });
    await again.waitFor((x) => /Spoke in/.test(x.message()?.content ?? ''), 20_000);
    await bot.waitForLine(/ DEBUG: /, 10_000);

    bot.proc.kill('SIGUSR2');
    await bot.waitForLine(/log level changed \(SIGUSR2\).*"to":"info"/, 10_000);
  });
});
