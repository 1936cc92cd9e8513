import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand, Services } from '../src/app.js';
import type { CommandContext } from '../src/discord/commandTypes.js';
import { requireControl } from '../src/features/voiceControl.js';
import type { GuildPlayback } from '../src/voice/GuildPlayback.js';
import type { SpeechRequest } from '../src/speech/request.js';

/** A queue-control command: only members in the bot's channel; the action's text (through ctx.t) is the private reply. */
export function controlCommand(
  name: string,
  description: string,
  act: (playback: GuildPlayback<SpeechRequest>, ctx: CommandContext<Services>) => string,
): BotCommand {
  return {
    data: new SlashCommandBuilder().setName(name).setDescription(description).setContexts(InteractionContextType.Guild).toJSON(),
    defer: () => 'ephemeral',
    async execute(ctx) {
      const playback = requireControl(ctx.services.playback, ctx.guildId, ctx.voice.memberChannelId);
      await ctx.reply({ content: act(playback, ctx) });
    },
  };
}
