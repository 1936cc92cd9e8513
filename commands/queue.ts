import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';

const SHOWN = 10;

/** /queue: what is playing and waiting, and who asked. */
export const queue: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('queue')
    .setDescription('Show what I am saying and what is waiting')
    .setContexts(InteractionContextType.Guild)
    .toJSON(),
  defer: () => 'ephemeral',
  async execute(ctx) {
    const snap = ctx.services.playback.get(ctx.guildId)?.snapshot();
    if (!snap || (!snap.current && snap.pending.length === 0)) {
      await ctx.reply({ content: snap?.channelId ? `The queue in <#${snap.channelId}> is empty.` : 'The queue is empty.' });
      return;
    }
    const lines: string[] = [];
    if (snap.current) {
      const verb = snap.status === 'paused' ? '⏸️ Paused' : '🗣️ Now';
      lines.push(`${verb}: “${snap.current.label}” — asked by ${snap.current.requester.name}`);
    }
    snap.pending.slice(0, SHOWN).forEach((item, i) => {
      lines.push(`${i + 1}. “${item.label}” — asked by ${item.requester.name}`);
    });
    if (snap.pending.length > SHOWN) lines.push(`…and ${snap.pending.length - SHOWN} more`);
    await ctx.reply({ content: `Queue in <#${snap.channelId}>:\n${lines.join('\n')}` });
  },
};
