import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand } from '../src/app.js';
import type { CommandContext } from '../src/discord/commandTypes.js';
import type { Services } from '../src/app.js';
import { AUDIO_FORMATS } from '../src/config.js';
import { BotError } from '../src/errors.js';
import { shorten } from '../src/features/speak.js';
import type { SpeechAsk } from '../src/speech/request.js';
import { MAX_INPUT_CHARS, SPEED_RANGE } from '../src/speech/request.js';
import { outcomeText } from './replies.js';
import { postVoiceMessageReply, precheckVoiceMessage } from './voiceMessageReply.js';

type Output = 'voice' | 'file' | 'voice_message';

/**
 * Voice when asked, or when the member is in a voice channel the bot is free to go to; else a file. A member in voice
 * where the bot lacks a permission is told which one (privately, nothing is made): a public file would surprise them.
 */
function chooseOutput(ctx: CommandContext<Services>): Output {
  const asked = ctx.options.output;
  if (asked === 'voice' || asked === 'file' || asked === 'voice_message') return asked;
  const channelId = ctx.voice.memberChannelId;
  if (!channelId) return 'file';
  const check = ctx.voice.check(channelId);
  if (!check.ok) return check.error.key === 'permission.missing' ? 'voice' : 'file';
  const busyIn = ctx.services.playback.get(ctx.guildId)?.channelId;
  return !busyIn || busyIn === channelId ? 'voice' : 'file';
}

function askFrom(ctx: CommandContext<Services>): SpeechAsk {
  const o = ctx.options;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    text: str(o.text) ?? '',
    voice: str(o.voice),
    model: str(o.model),
    speed: typeof o.speed === 'number' ? o.speed : undefined,
    format: str(o.format),
    instructions: str(o.instructions),
  };
}

/** /speak: says text in the member's voice channel, or returns it as an audio file. */
export const speak: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('speak')
    .setDescription('Say text aloud in your voice channel, or get it back as an audio file')
    .setContexts(InteractionContextType.Guild)
    .addStringOption((o) =>
      o.setName('text').setDescription('What to say').setRequired(true).setMinLength(1).setMaxLength(MAX_INPUT_CHARS),
    )
    .addStringOption((o) => o.setName('voice').setDescription('Voice to speak with').setAutocomplete(true))
    .addStringOption((o) => o.setName('model').setDescription('Speech model').setAutocomplete(true))
    .addNumberOption((o) =>
      o
        .setName('speed')
        .setDescription(`Speaking speed, ${SPEED_RANGE.min} to ${SPEED_RANGE.max} (1 is normal)`)
        .setMinValue(SPEED_RANGE.min)
        .setMaxValue(SPEED_RANGE.max),
    )
    .addStringOption((o) =>
      o
        .setName('format')
        .setDescription('Audio file format (for file output)')
        .addChoices(...AUDIO_FORMATS.map((f) => ({ name: f, value: f }))),
    )
    .addStringOption((o) =>
      o.setName('instructions').setDescription('How to speak: tone, accent, pace (models that take instructions)').setMaxLength(MAX_INPUT_CHARS),
    )
    .addStringOption((o) =>
      o
        .setName('output')
        .setDescription('Speak in your voice channel, reply with a file, or post a voice message here')
        .addChoices(
          { name: 'voice channel', value: 'voice' },
          { name: 'audio file', value: 'file' },
          { name: 'voice message', value: 'voice_message' },
        ),
    )
    .toJSON(),

  spendsSpeech: () => true,

  precheck: (ctx) => {
    if (chooseOutput(ctx) === 'voice_message') precheckVoiceMessage(ctx);
  },

  // A voice message is posted by the bot in the channel; the deferred reply only says where (privately).
  defer: (ctx) => (chooseOutput(ctx) === 'file' ? 'public' : 'ephemeral'),

  async execute(ctx) {
    const ask = askFrom(ctx);
    const { speak: service } = ctx.services;
    if (chooseOutput(ctx) === 'voice_message') {
      const who = { guildId: ctx.guildId, userId: ctx.user.id };
      await postVoiceMessageReply(ctx, ask, who, ctx.user.id, ctx.tServer('replies.voice_message.alt_speak', { name: ctx.user.displayName, text: ask.text }));
      return;
    }
    if (chooseOutput(ctx) === 'file') {
      const file = await service.toFile(ask, { guildId: ctx.guildId, userId: ctx.user.id }, ctx.attachmentSizeLimit);
      const r = file.request;
      await ctx.reply({
        content: ctx.t('replies.speak.file', {
          text: shorten(r.input, 300),
          voice: r.voice,
          model: r.model,
          speed: r.speed,
          format: r.response_format,
          cached: file.fromCache ? 'yes' : 'no',
          cacheNote: ctx.t('replies.outcome.cache_note'),
        }),
        files: [{ name: file.name, data: file.data, contentType: file.contentType, description: shorten(r.input, 1000) }],
      });
      return;
    }
    const channelId = ctx.voice.memberChannelId;
    if (!channelId) throw new BotError('voice.not_in_channel');
    const check = ctx.voice.check(channelId);
    if (!check.ok) throw check.error;
    const label = shorten(ask.text, 80);
    let started = false;
    const { position } = service.toVoice({
      guildId: ctx.guildId,
      channelId,
      requester: { id: ctx.user.id, name: ctx.user.displayName },
      ask,
      onStart: () => {
        started = true;
        void ctx.reply({ content: ctx.t('replies.speak.speaking', { channelId, label }) }).catch(() => undefined);
      },
      onEnd: (outcome) => void ctx.reply({ content: outcomeText(ctx, outcome, channelId, label, started) }).catch(() => undefined),
    });
    await ctx.reply({
      content: ctx.t('replies.speak.queued', { position, channelId, label }),
    });
  },

  async autocomplete(ctx) {
    const { tts } = ctx.services.config;
    const list = ctx.focused.name === 'model' ? tts.models : ctx.focused.name === 'voice' ? tts.voices : [];
    const typed = ctx.focused.value.toLowerCase();
    return list.filter((v) => v.toLowerCase().includes(typed)).slice(0, 25).map((v) => ({ name: v, value: v }));
  },
};
