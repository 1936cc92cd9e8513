import { PermissionFlagsBits as P } from 'discord.js';
import { describe, expect, it } from 'vitest';
import type { InteractionHandle } from '../standins/discord/index.js';
import { useWorld, type MemberName, type World } from './world.js';

/** The bot checks its own permissions before joining or posting, and says which one is missing, and where. */
describe('the bot’s own permissions', () => {
  let w: World;
  useWorld(
    {
      env: { READING_ENABLED: 'true' },
      guild: {
        extraChannels: [
          { name: 'Mute Room', type: 'voice', permissionOverwrites: [{ member: 'speech-bot', deny: P.Speak }] },
          { name: 'Closed Room', type: 'voice', permissionOverwrites: [{ role: '@everyone', deny: P.Connect }] },
          { name: 'no-reactions', type: 'text', permissionOverwrites: [{ member: 'speech-bot', deny: P.AddReactions }] },
          { name: 'read-only', type: 'text', permissionOverwrites: [{ role: '@everyone', deny: P.SendMessages }] },
        ],
      },
    },
    (started) => {
      w = started;
    },
  );

  const content = (h: InteractionHandle) => h.message()?.content ?? '';
  async function reply(member: MemberName, command: string, options: Record<string, string | number | boolean> = {}, subcommand?: string) {
    const h = w.command(member, command, options, subcommand);
    await h.waitFor((x) => content(x).length > 0 || x.followups().length > 0, 20_000);
    return h;
  }

  it('/speak in a voice channel where the bot may not Speak: a private reply naming Speak and the channel, no provider call', async () => {
    const asked = w.speech.requests.length;
    w.join('alice', 'Mute Room');
    const asks: Array<Record<string, string>> = [{ text: 'hello there' }, { text: 'hello there', output: 'voice' }];
    for (const options of asks) {
      const h = await reply('alice', 'speak', options);
      expect(h.ephemeral).toBe(true);
      expect(content(h)).toContain('**Speak**');
      expect(content(h)).toContain(`<#${w.channelId('Mute Room')}>`);
    }
    expect(w.speech.requests.length).toBe(asked);
    expect(w.discord.botVoiceChannel(w.guild.id)).toBeNull();
    expect(w.discord.botVoiceOps).toEqual([]);
  });

  it('/join where an @everyone overwrite takes Connect away names Connect', async () => {
    w.join('bob', 'Closed Room');
    const h = await reply('bob', 'join');
    expect(content(h)).toMatch(new RegExp(`\\*\\*Connect\\*\\*.*<#${w.channelId('Closed Room')}>`));
    expect(w.discord.botVoiceOps).toEqual([]);
  });

  it('/announce now into a channel where the bot may not Speak names Speak', async () => {
    const h = await reply('dave', 'announce', { text: 'meeting now', channel: w.channelId('Mute Room') }, 'now');
    expect(content(h)).toContain('**Speak**');
    expect(w.discord.botVoiceOps).toEqual([]);
  });

  it('/read enable where the bot may not post its privacy notice is refused, naming Send Messages; nothing is read there', async () => {
    const channel = w.channelId('read-only');
    const h = await reply('dave', 'read', { channel }, 'enable');
    expect(content(h)).toContain('**Send Messages**');
    expect(content(h)).toContain(`<#${channel}>`);
    const status = await reply('dave', 'read', {}, 'status');
    expect(content(status)).not.toContain(channel);
    expect(w.discord.channelMessages(channel)).toEqual([]);
  });

  it('a reading channel where the bot may not react: it says so when enabled, nothing crashes, and the log says so once', async () => {
    const channel = w.channelId('no-reactions');
    const enable = await reply('dave', 'read', { channel }, 'enable');
    expect(content(enable)).toMatch(/is now read aloud/);
    expect(content(enable)).toContain('**Add Reactions**');
    expect((await reply('dave', 'settings', { key: 'read_max_pending_member', value: '1' }, 'set')).message()).toBeDefined();

    w.join('carol', 'Lounge');
    await reply('carol', 'join');
    await w.discord.waitForBotVoice(w.guild.id, w.channelId('Lounge'));
    const posted = Array.from({ length: 6 }, (_, i) =>
      w.discord.postMessage({ guildId: w.guild.id, channelId: channel, authorId: 'carol', content: `message number ${i} with a few words to say` }));
    await w.bot!.waitForLine(/read dropped: backlog limit/, 20_000);
    const cannotReact = /cannot react in this channel/;
    await w.bot!.waitForLine(cannotReact, 20_000);
    // More dropped messages later: still one log line.
    for (let i = 0; i < 3; i++) w.discord.postMessage({ guildId: w.guild.id, channelId: channel, authorId: 'carol', content: `more ${i}` });
    const queue = await reply('carol', 'queue');
    expect(content(queue)).toMatch(/Queue in|queue/);
    const lines = w.bot!.output.filter((l) => cannotReact.test(l));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ channelId: channel, permission: 'Add Reactions' });
    for (const m of posted) expect(w.discord.reactions(channel, m.id)).toEqual([]);
    expect(w.discord.unhandled).toEqual([]);
    expect(w.bot!.proc.exitCode).toBeNull();
  });
});
