import { ChannelType, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { BotCommand, Services } from '../src/app.js';
import type { CommandContext } from '../src/discord/commandTypes.js';
import { BotError } from '../src/errors.js';
import { MAX_REPEAT, type AnnouncerMember, type ScheduleView } from '../src/features/announcements/announceService.js';
import { localDateTime } from '../src/features/announcements/schedule.js';
import { shorten } from '../src/features/speak.js';
import { outcomeText } from './replies.js';

const TEXT_MAX = 1000;
const VOICE_CHANNELS = [ChannelType.GuildVoice, ChannelType.GuildStageVoice] as const;

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

function memberOf(ctx: CommandContext<Services>): AnnouncerMember {
  return { id: ctx.user.id, name: ctx.user.displayName, ...ctx.member };
}

/** The chosen voice channel, else the member's own; checked for the bot's permissions. */
function targetChannel(ctx: CommandContext<Services>): string {
  const channelId = str(ctx.options.channel) ?? ctx.voice.memberChannelId;
  if (!channelId) throw new BotError('input.no_channel');
  const check = ctx.voice.check(channelId);
  if (!check.ok) throw check.error;
  return channelId;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/** When a schedule runs, in the reply's language (a one-off's time is shown by the "next" timestamp). */
function when(ctx: Pick<CommandContext<Services>, 't'>, v: ScheduleView): string {
  const spec = v.schedule.spec;
  const timeZone = v.timeZone;
  switch (spec.kind) {
    case 'once':
      return ctx.t('replies.announce.when.once', { ...localDateTime(spec.at, timeZone), timeZone });
    case 'daily':
    case 'weekdays':
      return ctx.t(`replies.announce.when.${spec.kind}`, { time: spec.time, timeZone });
    case 'weekly':
      return ctx.t('replies.announce.when.weekly', { weekday: WEEKDAYS[spec.weekday ?? -1] ?? 'other', time: spec.time, timeZone });
    case 'cron':
      return ctx.t('replies.announce.when.cron', { expr: spec.expr, timeZone });
  }
}

function line(ctx: CommandContext<Services>, v: ScheduleView): string {
  return ctx.t('replies.announce.line', {
    id: v.schedule.id,
    channelId: v.schedule.channelId,
    description: when(ctx, v),
    next: v.next ? Math.floor(v.next.getTime() / 1000) : 'none',
    text: shorten(v.schedule.text, 80),
  });
}

/** /announce: moderators' announcements in a voice channel, now or on a schedule. */
export const announce: BotCommand = {
  data: new SlashCommandBuilder()
    .setName('announce')
    .setDescription('Announcements in a voice channel (Manage Server, or the announcer role)')
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((s) =>
      s
        .setName('now')
        .setDescription('Say something in a voice channel after what is being said')
        .addStringOption((o) => o.setName('text').setDescription('What to say').setRequired(true).setMaxLength(TEXT_MAX))
        .addChannelOption((o) => o.setName('channel').setDescription('Voice channel (default: yours)').addChannelTypes(...VOICE_CHANNELS))
        .addIntegerOption((o) => o.setName('repeat').setDescription('How many times to say it').setMinValue(1).setMaxValue(MAX_REPEAT))
        .addStringOption((o) => o.setName('voice').setDescription('Voice to say it with').setAutocomplete(true)),
    )
    .addSubcommand((s) =>
      s
        .setName('schedule')
        .setDescription('Say something at a time, once or repeating (in the server’s time zone)')
        .addStringOption((o) => o.setName('text').setDescription('What to say').setRequired(true).setMaxLength(TEXT_MAX))
        .addStringOption((o) => o.setName('at').setDescription('HH:MM, or YYYY-MM-DD HH:MM').setMaxLength(20))
        .addStringOption((o) =>
          o
            .setName('repeat')
            .setDescription('How often (default: once)')
            .addChoices(
              { name: 'just once', value: 'once' },
              { name: 'every day', value: 'daily' },
              { name: 'every weekday', value: 'weekdays' },
              { name: 'every week', value: 'weekly' },
            ),
        )
        .addStringOption((o) => o.setName('cron').setDescription('Or a cron expression, e.g. 0 9 * * 1-5 (instead of at/repeat)').setMaxLength(100))
        .addChannelOption((o) => o.setName('channel').setDescription('Voice channel (default: yours)').addChannelTypes(...VOICE_CHANNELS))
        .addStringOption((o) => o.setName('voice').setDescription('Voice to say it with').setAutocomplete(true)),
    )
    .addSubcommand((s) => s.setName('list').setDescription('Scheduled announcements in this server'))
    .addSubcommand((s) =>
      s
        .setName('cancel')
        .setDescription('Cancel a scheduled announcement')
        .addIntegerOption((o) => o.setName('id').setDescription('Its number, from /announce list').setRequired(true).setMinValue(1).setAutocomplete(true)),
    )
    .toJSON(),

  spendsSpeech: (ctx) => ctx.subcommand === 'now',

  defer: () => 'ephemeral',

  async execute(ctx) {
    const { announce: service } = ctx.services;
    service.requireAllowed(ctx.guildId, memberOf(ctx));
    const text = str(ctx.options.text) ?? '';
    const voice = str(ctx.options.voice);
    switch (ctx.subcommand) {
      case 'now': {
        const channelId = targetChannel(ctx);
        const label = shorten(text, 80);
        const { position, visit } = service.now({
          guildId: ctx.guildId,
          channelId,
          text,
          voice,
          repeat: typeof ctx.options.repeat === 'number' ? ctx.options.repeat : undefined,
          member: memberOf(ctx),
          onEnd: (outcome) => void ctx.reply({ content: `📢 ${outcomeText(ctx, outcome, channelId, label, true)}` }).catch(() => undefined),
        });
        await ctx.reply({ content: ctx.t(visit ? 'replies.announce.visit' : 'replies.announce.queued', { channelId, position, label }) });
        return;
      }
      case 'schedule': {
        const view = service.schedule({
          guildId: ctx.guildId,
          channelId: targetChannel(ctx),
          replyChannelId: ctx.channelId,
          text,
          voice,
          when: str(ctx.options.at),
          repeat: str(ctx.options.repeat),
          cron: str(ctx.options.cron),
          member: memberOf(ctx),
        });
        await ctx.reply({ content: ctx.t('replies.announce.scheduled', { line: line(ctx, view) }) });
        return;
      }
      case 'list': {
        const views = service.list(ctx.guildId);
        await ctx.reply({
          content: views.length === 0 ? ctx.t('replies.announce.none') : shorten(views.map((v) => line(ctx, v)).join('\n'), 1990),
        });
        return;
      }
      case 'cancel': {
        const id = Number(ctx.options.id);
        service.cancel(ctx.guildId, id);
        await ctx.reply({ content: ctx.t('replies.announce.cancelled', { id }) });
        return;
      }
      default:
        throw new BotError('internal', {}, { message: `unknown subcommand ${ctx.subcommand}` });
    }
  },

  async autocomplete(ctx) {
    if (ctx.focused.name === 'voice') {
      const typed = ctx.focused.value.toLowerCase();
      return ctx.services.config.tts.voices.filter((v) => v.toLowerCase().includes(typed)).slice(0, 25).map((v) => ({ name: v, value: v }));
    }
    if (ctx.focused.name === 'id' && ctx.guildId) {
      return ctx.services.announce
        .list(ctx.guildId)
        .filter((v) => String(v.schedule.id).startsWith(ctx.focused.value))
        .slice(0, 25)
        .map((v) => ({ name: shorten(`#${v.schedule.id} ${when(ctx, v)}: ${v.schedule.text}`, 100), value: v.schedule.id }));
    }
    return [];
  },
};
