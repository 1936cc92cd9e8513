import { ApplicationCommandType, ContextMenuCommandBuilder, InteractionContextType } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { BotError } from '../src/errors.js';
import { outcomeText } from './replies.js';

/** "Read aloud" on a message: in the bot's channel if the member is there, else a private audio file. */
export const readAloud: BotCommand = {
  data: new ContextMenuCommandBuilder()
    .setName('Read aloud')
    .setType(ApplicationCommandType.Message)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  spendsSpeech: () => true,

  defer: () => 'ephemeral',

  async execute(ctx) {
    if (!ctx.target) throw new BotError('input.not_a_message');
    const voiceChannel = ctx.voice.memberChannelId;
    // The item may fail before the first reply was given: its reply then waits for that one (replies apply in call order).
    let failure: string | undefined;
    let firstGiven = false;
    const reply = (content: string) => {
      firstGiven = true;
      return ctx.reply({ content: failure ?? content });
    };
    const result = await ctx.services.reading.readOnRequest(
      ctx.target,
      { id: ctx.user.id, name: ctx.user.displayName, voiceChannelId: voiceChannel },
      ctx.attachmentSizeLimit,
      (outcome) => {
        // Only a failure changes the reply (a spent budget says which and when it resets); the rest is heard.
        if (outcome.status !== 'failed' || !voiceChannel) return;
        failure = outcomeText(ctx, outcome, voiceChannel, ctx.t('replies.read_aloud.label'), false);
        if (firstGiven) void ctx.reply({ content: failure }).catch(() => undefined);
      },
    );
    if (result.kind === 'opted_out') {
      await ctx.reply({ content: ctx.t('replies.read_aloud.opted_out') });
    } else if (result.kind === 'nothing') {
      await ctx.reply({ content: ctx.t('replies.read_aloud.nothing') });
    } else if (result.kind === 'voice') {
      await reply(ctx.t('replies.read_aloud.reading', { channelId: result.channelId, position: result.position }));
    } else {
      await ctx.reply({
        content: ctx.t('replies.read_aloud.file', {
          voice: result.file.request.voice,
          cached: result.file.fromCache ? 'yes' : 'no',
          cacheNote: ctx.t('replies.outcome.cache_note'),
        }),
        files: [{ name: `message-${ctx.target.id}.mp3`, data: result.file.data, contentType: result.file.contentType }],
      });
    }
  },
};
