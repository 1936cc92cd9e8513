import { describe, expect, it } from 'vitest';
import type { InteractionHandle } from '../standins/discord/index.js';
import { useWorld, type World } from './world.js';

/**
 * Every message the bot sends carries allowed_mentions with nothing allowed, whatever is in it: the Discord stand-in
 * logs every message payload (responses, edits, follow-ups, channel messages) and names the ones that could ping.
 */
describe('no pings, ever', () => {
  let w: World;
  useWorld({ env: { READING_ENABLED: 'true' }, guild: { roles: [{ name: 'Mods', permissions: 0n }] } }, (started) => {
    w = started;
  });

  const content = (h: InteractionHandle) => h.message()?.content ?? '';
  /** Text full of mentions a member could type. */
  const loud = () => `@everyone @here <@${w.guild.member('bob').id}> <@&${w.guild.role('Mods').id}> hello`;
  const settle = (h: InteractionHandle, pattern: RegExp) =>
    h.waitFor((x) => pattern.test(content(x)) || x.followups().some((f) => pattern.test(f.content)), 20_000);

  it('success, error, private and file replies, a notice and an announcement: not one payload lets a mention ping', async () => {
    const from = w.discord.sentMessages.length;
    w.join('alice', 'Lounge');

    // A reply edited as the item moves through the queue (private deferral, several edits).
    const spoken = w.speak('alice', { text: loud() });
    await settle(spoken, /Spoke in/);
    // A public file reply (multipart edit of the deferred response).
    const file = w.speak('bob', { text: loud(), output: 'file' });
    await file.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 20_000);
    // An error after a public deferral: the "thinking…" is removed and the error follows privately (a follow-up).
    const badModel = w.speak('bob', { text: 'hi', model: `<@${w.guild.member('carol').id}>`, output: 'file' });
    await badModel.waitFor((x) => x.followups().length === 1, 20_000);
    expect(badModel.followups()[0]!.content).toMatch(/Unknown model/);
    // An error after a private deferral.
    const notInVoice = w.command('carol', 'join');
    await settle(notInVoice, /Join a voice channel first/);
    // Read aloud for a member not in voice: a private file.
    const target = w.discord.postMessage({ guildId: w.guild.id, channelId: 'general', authorId: 'bob', content: loud() });
    const readAloud = w.discord.messageCommand({ guildId: w.guild.id, channelId: w.channelId('general'), userId: w.guild.member('carol').id, command: 'Read aloud', targetMessageId: target.id });
    await readAloud.waitFor((x) => (x.message()?.attachments.length ?? 0) === 1, 20_000);
    // The reading privacy notice: a message the bot posts in a channel.
    const bind = w.command('dave', 'read', { channel: w.channelId('chat') }, 'enable');
    await settle(bind, /privacy notice/);
    // An announcement (its reply is edited when it has been said).
    const announce = w.command('dave', 'announce', { text: loud(), channel: w.channelId('Lounge') }, 'now');
    await settle(announce, /Spoke in|Not spoken|Cut short/);
    // Replies that echo what members typed.
    const word = w.command('dave', 'dictionary', { word: '@everyone', reading: 'everybody' }, 'add');
    await settle(word, /is now said/);
    const queue = w.command('alice', 'queue');
    await settle(queue, /queue/i);

    const sent = w.discord.sentMessages.slice(from);
    const kinds = new Set(sent.map((p) => p.kind));
    for (const kind of ['original-edit', 'followup', 'channel-message'] as const) expect(kinds, `no ${kind} was sent`).toContain(kind);
    expect(sent.filter((p) => Array.isArray(p.body.attachments) && p.body.attachments.length > 0).length).toBeGreaterThanOrEqual(2);
    expect(sent.length).toBeGreaterThanOrEqual(10);
    expect(w.discord.payloadsThatCouldPing().map((p) => `${p.kind} ${p.path}: ${JSON.stringify(p.body).slice(0, 200)}`)).toEqual([]);
    // Belt and braces: what members typed is shown back defused, so no payload even holds mention syntax.
    const raw = sent.filter((p) => typeof p.body.content === 'string' && /@(everyone|here)|<@[!&]?\d+>/.test(p.body.content));
    expect(raw.map((p) => p.body.content)).toEqual([]);

    // And what Discord made of them: no message of the bot mentions anyone.
    const botMessageIds = new Set<string>();
    for (const h of w.discord.interactions()) for (const e of h.events) if (e.messageId) botMessageIds.add(e.messageId);
    for (const channel of ['general', 'chat']) {
      for (const m of w.discord.channelMessages(w.channelId(channel))) if (m.authorId === w.discord.botUser.id) botMessageIds.add(m.id);
    }
    expect(botMessageIds.size).toBeGreaterThanOrEqual(8);
    for (const id of botMessageIds) {
      const m = w.discord.message(id);
      if (m) expect(m.mentions, m.content).toEqual({ userIds: [], roleIds: [], everyone: false });
    }
    expect(w.discord.unhandled).toEqual([]);
  });
});
