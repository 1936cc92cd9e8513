import { describe, expect, it } from 'vitest';
import type { InteractionHandle } from '../standins/discord/index.js';
import { useWorld, type MemberName, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';
const inputs = (w: World) => w.speech.requests.map((r) => (r.body as { input?: string } | null)?.input ?? '');
const hasFile = (h: InteractionHandle) => (h.message()?.attachments.length ?? 0) === 1;
/** The private text a refused command got: a direct ephemeral reply, or an ephemeral follow-up after a deferral. */
const privateRefusal = (h: InteractionHandle): string | undefined => {
  const f = h.followups().find((m) => (m.flags & 64) === 64);
  if (f) return f.content;
  const m = h.message();
  return m && h.ephemeral && m.attachments.length === 0 && m.content.length > 0 ? m.content : undefined;
};
/** A text of exactly `n` characters, different for each tag. */
const textOf = (tag: string, n: number) => `${tag} ${'x'.repeat(n)}`.slice(0, n);

describe('per-member rate limit', () => {
  let w: World;
  useWorld({}, (started) => {
    w = started;
  });

  it('30 /speak output:file in 10 s: at most member_rate_per_min + 2 reach the provider, the rest get a private retry time; another member is not affected', async () => {
    const before = w.speech.requests.length;
    const handles: InteractionHandle[] = [];
    const startedAt = Date.now();
    for (let i = 0; i < 30; i++) {
      handles.push(w.speak('alice', { text: `Flood number ${i} from alice`, output: 'file' }));
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(Date.now() - startedAt).toBeLessThan(10_500);
    for (const h of handles) await h.waitFor((x) => hasFile(x) || privateRefusal(x) !== undefined, 20_000);
    const served = handles.filter(hasFile);
    const refused = handles.filter((h) => !hasFile(h));
    const calls = w.speech.requests.slice(before).filter((r) => /^Flood number/.test((r.body as { input: string }).input));
    // The default is 10 a minute: 10 at once, one more every 6 s.
    expect(calls.length).toBeLessThanOrEqual(10 + 2);
    expect(calls.length).toBe(served.length);
    expect(served.length).toBeGreaterThanOrEqual(10);
    expect(served.length + refused.length).toBe(30);
    const now = Math.floor(Date.now() / 1000);
    for (const h of refused) {
      expect(h.ephemeral).toBe(true);
      const text = privateRefusal(h)!;
      expect(text).toMatch(/10 speech requests a minute/);
      const retryAt = Number(/Try again <t:(\d+):R>/.exec(text)?.[1]);
      expect(retryAt).toBeGreaterThanOrEqual(now - 11);
      expect(retryAt).toBeLessThanOrEqual(now + 7);
      // Refused before anything ran: no deferral, no queue, no provider call for its text.
      expect(h.events.filter((e) => e.kind === 'callback').map((e) => e.type)).toEqual([4]);
      const asked = (h.payload.data.options as Array<{ name: string; value: string }>).find((o) => o.name === 'text')!.value;
      expect(inputs(w)).not.toContain(asked);
    }
    const bob = w.speak('bob', { text: 'Bob is not limited by alice', output: 'file' });
    await bob.waitFor(hasFile, 15_000);
  });

  it('covers Read aloud, /voice sample and /announce now too, counted together per member', async () => {
    const set = w.command('dave', 'settings', { key: 'member_rate_per_min', value: '2' }, 'set');
    await set.waitFor((h) => /member_rate_per_min is now \*\*2\*\*/.test(content(h)), 15_000);
    const target = w.discord.postMessage({ guildId: w.guild.id, channelId: 'general', authorId: 'bob', content: 'Read this for carol' });
    const sample = w.command('carol', 'voice', {}, 'sample');
    await sample.waitFor(hasFile, 15_000);
    const read = w.discord.messageCommand({ guildId: w.guild.id, channelId: w.channelId('general'), userId: w.guild.member('carol').id, command: 'Read aloud', targetMessageId: target.id });
    await read.waitFor(hasFile, 15_000);
    const third = w.speak('carol', { text: 'One more from carol', output: 'file' });
    await third.waitFor((h) => privateRefusal(h) !== undefined, 15_000);
    expect(privateRefusal(third)).toMatch(/2 speech requests a minute.*Try again <t:\d+:R>/);
    w.join('dave', 'Lounge');
    for (const text of ['First announcement', 'Second announcement']) {
      const h = w.command('dave', 'announce', { text }, 'now');
      await h.waitFor((x) => content(x).length > 0, 15_000);
    }
    const over = w.command('dave', 'announce', { text: 'Third announcement' }, 'now');
    await over.waitFor((h) => privateRefusal(h) !== undefined, 15_000);
    expect(privateRefusal(over)).toMatch(/Try again <t:\d+:R>/);
    // Settings and other commands that make no speech are not limited.
    const view = w.command('dave', 'settings', {}, 'view');
    await view.waitFor((h) => /member_rate_per_min: \*\*2\*\*/.test(content(h)), 15_000);
    expect(content(view)).toMatch(/char_budget_daily: 100000/);
  });
});

describe('character budgets and /usage', () => {
  let w: World;
  // Budgets are per day in the server's time zone: the bot runs on a clock the test sets.
  const NOON = Date.parse('2026-12-07T12:00:00Z');
  useWorld({ env: { READING_ENABLED: 'true', TTS_PRICES: 'gpt-4o-mini-tts:12,tts-1:15' }, clockStartMs: NOON }, (started) => {
    w = started;
  });

  async function run(member: MemberName, command: string, subcommand: string | undefined, options: Record<string, string | number | boolean> = {}) {
    const h = w.command(member, command, options, subcommand);
    await h.waitFor((x) => content(x).length > 0, 15_000);
    return content(h);
  }
  async function file(member: MemberName, text: string): Promise<InteractionHandle> {
    const h = w.speak(member, { text, output: 'file' });
    await h.waitFor((x) => hasFile(x) || privateRefusal(x) !== undefined, 15_000);
    return h;
  }
  const calledWith = (text: string) => inputs(w).filter((i) => i === text).length;

  it('stops reaching the provider at char_budget_daily, names the budget and its reset, still plays cached phrases', async () => {
    expect(await run('dave', 'settings', 'set', { key: 'char_budget_daily', value: '200' })).toMatch(/char_budget_daily is now \*\*200\*\*/);
    expect(await run('dave', 'settings', 'set', { key: 'time_zone', value: 'Europe/Paris' })).toMatch(/time_zone is now/);
    const before = w.speech.requests.length;
    const first = textOf('alpha', 60);
    for (const [member, text] of [['alice', first], ['bob', textOf('beta', 60)], ['alice', textOf('gamma', 60)]] as const) {
      const h = await file(member, text);
      expect(hasFile(h)).toBe(true);
      expect(content(h)).not.toMatch(/from the cache/);
    }
    // 180 used: 60 more would pass 200.
    const over = await file('carol', textOf('delta', 60));
    expect(hasFile(over)).toBe(false);
    const refusal = privateRefusal(over)!;
    expect(refusal).toMatch(/This server’s daily speech budget is spent: 180 of 200 characters used today, and this needs 60/);
    // Midnight in Paris: 23:00 UTC.
    expect(refusal).toContain(`It resets <t:${Date.parse('2026-12-07T23:00:00Z') / 1000}:R>`);
    expect(calledWith(textOf('delta', 60))).toBe(0);
    // A cached phrase still plays, and says it cost nothing.
    const cached = await file('carol', first);
    expect(hasFile(cached)).toBe(true);
    expect(content(cached)).toMatch(/from the cache: no characters spent/);
    // What still fits is sent: exactly 200 now.
    expect(hasFile(await file('carol', textOf('epsilon', 20)))).toBe(true);
    expect(hasFile(await file('bob', textOf('zeta', 1)))).toBe(false);
    expect(w.speech.requests.length - before).toBe(4);
  });

  it('in voice and Read aloud the refusal is private too; a message that would be read gets one ⏳', async () => {
    const before = w.speech.requests.length;
    w.join('alice', 'Lounge');
    const spoken = w.speak('alice', { text: 'Voice words over the budget', output: 'voice' });
    await spoken.waitFor((h) => /daily speech budget is spent/.test(content(h)), 15_000);
    expect(spoken.ephemeral).toBe(true);
    expect(content(spoken)).toMatch(/Not spoken\. This server’s daily speech budget is spent: 200 of 200/);
    const target = w.discord.postMessage({ guildId: w.guild.id, channelId: 'general', authorId: 'bob', content: 'Please read this one aloud' });
    const read = w.discord.messageCommand({ guildId: w.guild.id, channelId: w.channelId('general'), userId: w.guild.member('carol').id, command: 'Read aloud', targetMessageId: target.id });
    await read.waitFor((h) => privateRefusal(h) !== undefined, 15_000);
    expect(privateRefusal(read)).toMatch(/daily speech budget is spent.*resets <t:\d+:R>/);
    // In the bot's channel, Read aloud goes to the queue: its private reply then says why it was not read.
    const readInVoice = w.discord.messageCommand({ guildId: w.guild.id, channelId: w.channelId('general'), userId: w.guild.member('alice').id, command: 'Read aloud', targetMessageId: target.id });
    await readInVoice.waitFor((h) => /daily speech budget is spent/.test(content(h)), 15_000);
    expect(readInVoice.ephemeral).toBe(true);
    expect(content(readInVoice)).toMatch(/Not spoken\. This server’s daily speech budget is spent: 200 of 200 characters used today.*resets <t:\d+:R>/);
    expect(await run('dave', 'read', 'enable', { channel: w.channelId('chat') })).toMatch(/is now read aloud/);
    const posted = w.discord.postMessage({ guildId: w.guild.id, channelId: 'chat', authorId: 'alice', content: 'this message would be read' });
    await w.discord.waitUntil(() => (w.discord.reactions(w.channelId('chat'), posted.id).length > 0 ? true : undefined), 15_000);
    // Time for anything late: still the one reaction, and no message posted.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(w.discord.reactions(w.channelId('chat'), posted.id)).toEqual([{ emoji: '⏳', userIds: [w.discord.botUser.id] }]);
    expect(w.discord.channelMessages(w.channelId('chat')).filter((m) => m.authorId === w.discord.botUser.id && /budget/.test(m.content))).toHaveLength(0);
    expect(w.speech.requests.length - before).toBe(0);
  });

  it('a restart does not reset the count; /usage shows the figures without pinging; midnight resets the day', async () => {
    await w.restartBot();
    const before = w.speech.requests.length;
    const after = await file('bob', textOf('eta', 10));
    expect(privateRefusal(after)).toMatch(/200 of 200 characters used today/);
    expect(w.speech.requests.length).toBe(before);

    const usage = w.command('dave', 'usage');
    await usage.waitFor((h) => content(h).length > 0, 15_000);
    const text = content(usage);
    expect(usage.ephemeral).toBe(true);
    expect(text).toMatch(/Today: \*\*200\*\* sent · 60 answered from the cache instead/);
    // 60 characters from the cache at $12 per million.
    expect(text).toMatch(/This month: \*\*200\*\* sent · 60 answered from the cache instead \(≈ \$0\.0007 saved\)/);
    // 200 characters at $12 per million.
    expect(text).toMatch(/gpt-4o-mini-tts: 200 today, 200 this month, ≈ \$0\.0024 at \$12\/M/);
    expect(text).toMatch(/this server: 0 of 200 left, resets <t:\d+:R>/);
    expect(text).toMatch(/the whole bot: no limit \(200 used today\)/);
    const id = (m: MemberName) => w.guild.member(m).id;
    // alice 120, carol 20, bob 60: most first, as mentions.
    expect(text).toContain(`Most this month: 1. <@${id('alice')}> 120 · 2. <@${id('bob')}> 60 · 3. <@${id('carol')}> 20`);
    const edits = usage.events.filter((e) => e.kind === 'edit' || e.kind === 'callback');
    expect(edits.at(-1)!.allowedMentions).toEqual({ parse: [] });

    // 00:00:05 in Paris on the 8th: a new day, a new budget.
    await w.setBotClock(Date.parse('2026-12-07T23:00:05Z'));
    const fresh = await file('bob', textOf('theta', 50));
    expect(hasFile(fresh)).toBe(true);
    expect(calledWith(textOf('theta', 50))).toBe(1);
  });
});
