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
      await ctx.reply({ content: snap?.channelId ? ctx.t('replies.queue.empty_in', { channelId: snap.channelId }) : ctx.t('replies.queue.empty') });
      return;
    }
    const lines: string[] = [];
    if (snap.current) {
      const { label, requester } = snap.current;
      lines.push(ctx.t(snap.status === 'paused' ? 'replies.queue.paused' : 'replies.queue.now', { label, name: requester.name }));
    }
    snap.pending.slice(0, SHOWN).forEach((item, i) => {
      lines.push(ctx.t('replies.queue.item', { position: i + 1, label: item.label, name: item.requester.name }));
    });
    if (snap.pending.length > SHOWN) lines.push(ctx.t('replies.queue.more', { count: snap.pending.length - SHOWN }));
    await ctx.reply({ content: `${ctx.t('replies.queue.heading', { channelId: String(snap.channelId) })}\n${lines.join('\n')}` });
  },
};
