import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import { BotError } from '../src/errors.js';
import { defuseMentions } from '../src/messages.js';
import { SPEED_RANGE } from '../src/speech/request.js';
import type { Services } from '../src/app.js';
import type { CommandContext } from '../src/discord/commandTypes.js';
import type { MemberSettings } from '../src/settings/types.js';
import { outcomeText } from './replies.js';

function describe(ctx: CommandContext<Services>, s: MemberSettings): string {
  return ctx.t('replies.voice.summary', { voice: s.voice ?? '—', speed: s.speed ?? '—', name: s.spokenName === null ? '—' : defuseMentions(s.spokenName) });
}

function both(ctx: CommandContext<Services>, view: { guild: MemberSettings; global: MemberSettings }): string {
  return `${ctx.t('replies.voice.here', { summary: describe(ctx, view.guild) })}\n${ctx.t('replies.voice.everywhere', { summary: describe(ctx, view.global) })}`;
}

/** /voice: a member's own voice, speed and spoken name (here or everywhere), shown and sampled. */
export const voice: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('voice')
    .setDescription('Your own voice settings')
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((s) =>
      s
        .setName('set')
        .setDescription('Choose your voice, speed and how your name is said')
        .addStringOption((o) => o.setName('voice').setDescription('Your voice').setAutocomplete(true))
        .addNumberOption((o) =>
          o.setName('speed').setDescription(`Your speed, ${SPEED_RANGE.min} to ${SPEED_RANGE.max}`).setMinValue(SPEED_RANGE.min).setMaxValue(SPEED_RANGE.max),
        )
        .addStringOption((o) => o.setName('name').setDescription('How your name is said aloud').setMaxLength(32))
        .addBooleanOption((o) => o.setName('everywhere').setDescription('Use these in every server (default: this server only)')),
    )
    .addSubcommand((s) => s.setName('show').setDescription('Show your voice settings'))
    .addSubcommand((s) => s.setName('sample').setDescription('Hear your voice'))
    .toJSON(),

  spendsSpeech: (ctx) => ctx.subcommand === 'sample',

  defer: () => 'ephemeral',

  async execute(ctx) {
    const { settings, speak } = ctx.services;
    if (ctx.subcommand === 'set') {
      const values: Partial<MemberSettings> = {};
      if (typeof ctx.options.voice === 'string') values.voice = ctx.options.voice;
      if (typeof ctx.options.speed === 'number') values.speed = ctx.options.speed;
      if (typeof ctx.options.name === 'string') values.spokenName = ctx.options.name;
      if (Object.keys(values).length === 0) {
        throw new BotError('input.voice_nothing_given');
      }
      const everywhere = ctx.options.everywhere === true;
      settings.setMember(everywhere ? 'global' : { guildId: ctx.guildId }, ctx.user.id, values);
      const view = settings.member(ctx.guildId, ctx.user.id);
      await ctx.reply({
        content: `${ctx.t('replies.voice.saved', { everywhere: everywhere ? 'yes' : 'no' })}\n${both(ctx, view)}`,
      });
      return;
    }
    if (ctx.subcommand === 'show') {
      const view = settings.member(ctx.guildId, ctx.user.id);
      const used = speak.request({ text: '.' }, { guildId: ctx.guildId, userId: ctx.user.id });
      await ctx.reply({
        content: `${both(ctx, view)}\n${ctx.t('replies.voice.in_use', { voice: used.voice, speed: used.speed })}`,
      });
      return;
    }
    // sample: in voice when the member is with the bot, else a private file; said in the server's spoken language.
    const sample = ctx.services.spokenPhrases(ctx.guildId).say('voiceSample');
    const playback = ctx.services.playback.get(ctx.guildId);
    const inBotChannel = playback?.channelId && playback.channelId === ctx.voice.memberChannelId;
    if (inBotChannel) {
      const channelId = playback.channelId!;
      let started = false;
      speak.toVoice({
        guildId: ctx.guildId,
        channelId,
        requester: { id: ctx.user.id, name: ctx.user.displayName },
        ask: { text: sample },
        onStart: () => {
          started = true;
        },
        onEnd: (outcome) => void ctx.reply({ content: outcomeText(ctx, outcome, channelId, ctx.t('replies.voice.sample_label'), started) }).catch(() => undefined),
      });
      await ctx.reply({ content: ctx.t('replies.voice.sample_playing', { channelId }) });
      return;
    }
    const file = await speak.toFile({ text: sample, format: 'mp3' }, { guildId: ctx.guildId, userId: ctx.user.id }, ctx.attachmentSizeLimit);
    await ctx.reply({
      content: ctx.t('replies.voice.sample_file', { voice: file.request.voice, speed: file.request.speed }),
      files: [{ name: `voice-sample-${file.request.voice}.mp3`, data: file.data, contentType: file.contentType }],
    });
  },

  async autocomplete(ctx) {
    const typed = ctx.focused.value.toLowerCase();
    const voices = ctx.services.config.tts.voices;
    // Names starting with what was typed first, then names containing it; Discord shows at most 25.
    const starts = voices.filter((v) => v.toLowerCase().startsWith(typed));
    const contains = voices.filter((v) => !v.toLowerCase().startsWith(typed) && v.toLowerCase().includes(typed));
    return [...starts, ...contains]
      .slice(0, 25)
      .map((v) => ({ name: v, value: v }));
  },
};
