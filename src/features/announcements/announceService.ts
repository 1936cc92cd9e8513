import { BotError, isBotError } from '../../errors.js';
import { errorText } from '../../i18n/errorText.js';
import type { Translator } from '../../i18n/translator.js';
import type { Logger } from '../../observability/logger.js';
import type { ScheduledAnnouncement } from '../../settings/scheduledAnnouncements.js';
import type { SettingsStore } from '../../settings/types.js';
import type { SpeechRequest } from '../../speech/request.js';
import type { EntryOutcome, Requester } from '../../voice/GuildPlayback.js';
import type { PlaybackRegistry } from '../../voice/PlaybackRegistry.js';
import type { Clock } from '../../voice/ports.js';
import { shorten, type SpeakService } from '../speak.js';
import { ANNOUNCER } from './presenceAnnouncer.js';
import { describeSchedule, parseWhen } from './schedule.js';
import { AnnouncementScheduler } from './scheduler.js';

/** Most scheduled announcements one guild may keep. */
export const MAX_SCHEDULES_PER_GUILD = 25;
/** Most times one announcement is said in a row. */
export const MAX_REPEAT = 5;

/** Who is asking, as far as announcing is concerned. */
export interface AnnouncerMember {
  id: string;
  name: string;
  canManageGuild: boolean;
  roleIds: readonly string[];
}

/** What the announce service needs from Discord. */
export interface AnnouncePorts {
  /** Why the bot cannot speak in a voice channel (it names a missing permission), or null when it can. */
  cannotSpeakIn(guildId: string, channelId: string): BotError | null;
  /** Members in a voice channel who are not bots. */
  humansIn(guildId: string, channelId: string): number;
  /** Posts a plain message (no pings) in a text channel. */
  notify(channelId: string, content: string): Promise<void>;
  /** Whether this process's shards own the guild (schedules of other guilds are fired by their own process). */
  ownsGuild?(guildId: string): boolean;
  /** The language (catalog code) of what is posted in the guild for everyone. */
  guildLanguage(guildId: string): string;
}

/** A schedule with what /announce list shows about it. */
export interface ScheduleView {
  schedule: ScheduledAnnouncement;
  /** In English, for logs; replies word `schedule.spec` in the member's language. */
  description: string;
  /** The guild's time zone the schedule runs in. */
  timeZone: string;
  next: Date | null;
}

/** Moderators' announcements: said now in any voice channel of the guild, or on a schedule. */
export function createAnnounceService(deps: {
  settings: SettingsStore;
  speak: SpeakService;
  playback: PlaybackRegistry<SpeechRequest>;
  ports: AnnouncePorts;
  /** The words of the notice posted when a scheduled announcement could not be said. */
  translator: Translator;
  clock: Clock;
  logger: Logger;
  /** Scheduler timing (tests). */
  tickMs?: number;
}) {
  const log = deps.logger.child({ module: 'announce' });

  /** Queues `repeat` announcement items in a channel: a visit when the bot serves another channel or none. */
  const queue = (a: { guildId: string; channelId: string; text: string; voice?: string | undefined; repeat: number; requester: Requester; onEnd?: (o: EntryOutcome) => void }) => {
    const playback = deps.playback.get(a.guildId);
    const home = playback && playback.state.status !== 'idle' ? playback.channelId : null;
    const visit = home !== a.channelId;
    let first: { position: number } | undefined;
    for (let i = 0; i < a.repeat; i++) {
      const queued = deps.speak.toVoice({
        guildId: a.guildId,
        channelId: a.channelId,
        requester: a.requester,
        ask: { text: a.text, ...(a.voice ? { voice: a.voice } : {}) },
        label: `announcement: ${shorten(a.text, 60)}`,
        priority: 'announcement',
        ...(visit ? { visit: true } : {}),
        ...(a.onEnd && i === a.repeat - 1 ? { onEnd: a.onEnd } : {}),
      });
      first ??= queued;
    }
    return { position: first!.position, visit: visit && home !== null };
  };

  const fire = (s: ScheduledAnnouncement) => {
    const tell = (why: BotError | null) => {
      log.warn({ id: s.id, guildId: s.guildId, why: why?.key ?? 'internal', ...why?.details }, 'scheduled announcement not said');
      const language = deps.ports.guildLanguage(s.guildId);
      const reason = errorText(deps.translator, language, why ?? new BotError('internal'));
      void deps.ports
        .notify(s.replyChannelId, deps.translator.text(language, 'replies.announce.not_said', { id: s.id, channelId: s.channelId, why: reason }))
        .catch((err: unknown) => log.warn({ err: isBotError(err) ? err.key : (err as Error).message, channelId: s.replyChannelId }, 'could not post the notice'));
    };
    const cannot = deps.ports.cannotSpeakIn(s.guildId, s.channelId);
    if (cannot) return tell(cannot);
    if (deps.ports.humansIn(s.guildId, s.channelId) === 0) {
      log.info({ id: s.id, guildId: s.guildId }, 'scheduled announcement skipped: nobody in the channel');
      return;
    }
    try {
      queue({
        guildId: s.guildId,
        channelId: s.channelId,
        text: s.text,
        voice: s.voice ?? undefined,
        repeat: 1,
        requester: { ...ANNOUNCER },
        // A spent character budget (or the speech service failing) would otherwise leave the moderators guessing.
        onEnd: (outcome) => {
          if (outcome.status !== 'failed') return;
          const err = outcome.error;
          tell(isBotError(err) ? err : null);
        },
      });
    } catch (err) {
      tell(err instanceof BotError ? err : null);
    }
  };

  const scheduler = new AnnouncementScheduler({
    store: deps.settings.schedules,
    timeZoneOf: (guildId) => deps.settings.guild(guildId).time_zone,
    clock: deps.clock,
    onDue: fire,
    ...(deps.ports.ownsGuild ? { owns: deps.ports.ownsGuild } : {}),
    logger: deps.logger,
    ...(deps.tickMs ? { tickMs: deps.tickMs } : {}),
  });

  const view = (schedule: ScheduledAnnouncement): ScheduleView => {
    const timeZone = deps.settings.guild(schedule.guildId).time_zone;
    return { schedule, description: describeSchedule(schedule.spec, timeZone), timeZone, next: scheduler.nextRunOf(schedule.id) };
  };

  return {
    /** Throws announce.not_allowed unless the member has Manage Server or the guild's announce role. */
    requireAllowed(guildId: string, member: AnnouncerMember): void {
      if (member.canManageGuild) return;
      const role = deps.settings.guild(guildId).announce_role;
      if (role !== null && member.roleIds.includes(role)) return;
      throw new BotError('announce.not_allowed', role ? { roleId: role } : {});
    },

    /** Says text now (after the current item) in a voice channel, `repeat` times. */
    now(a: { guildId: string; channelId: string; text: string; voice?: string | undefined; repeat?: number | undefined; member: AnnouncerMember; onEnd?: (o: EntryOutcome) => void }) {
      const repeat = Math.min(Math.max(Math.trunc(a.repeat ?? 1), 1), MAX_REPEAT);
      const queued = queue({ ...a, repeat, requester: { id: a.member.id, name: a.member.name } });
      log.info({ guildId: a.guildId, repeat, visit: queued.visit }, 'announcement queued');
      return queued;
    },

    /** Stores a schedule after checking the text, voice and time; returns how it reads and when it runs first. */
    schedule(a: {
      guildId: string;
      channelId: string;
      replyChannelId: string;
      text: string;
      voice?: string | undefined;
      when?: string | undefined;
      repeat?: string | undefined;
      cron?: string | undefined;
      member: AnnouncerMember;
    }): ScheduleView {
      // The same checks as saying it now, so a bad voice or text is refused today, not at 3 a.m.
      deps.speak.request({ text: a.text, ...(a.voice ? { voice: a.voice } : {}) }, { guildId: a.guildId, userId: ANNOUNCER.id });
      if (deps.settings.schedules.count(a.guildId) >= MAX_SCHEDULES_PER_GUILD) {
        throw new BotError('announce.too_many', { limit: MAX_SCHEDULES_PER_GUILD });
      }
      const timeZone = deps.settings.guild(a.guildId).time_zone;
      const now = new Date(deps.clock.now());
      if (a.cron && a.when) throw new BotError('announce.time_and_cron');
      if (!a.cron && !a.when) throw new BotError('announce.no_time');
      const parsed = a.cron ? parseWhen('', a.cron, timeZone, now) : parseWhen(a.when!, a.repeat ?? 'once', timeZone, now);
      if (!parsed.ok) throw new BotError('announce.bad_time', { ...parsed.problem });
      const stored = deps.settings.schedules.add({
        guildId: a.guildId,
        channelId: a.channelId,
        replyChannelId: a.replyChannelId,
        text: a.text,
        voice: a.voice ?? null,
        spec: parsed.spec,
        createdBy: a.member.id,
        createdAt: now.getTime(),
      });
      scheduler.track(stored);
      log.info({ guildId: a.guildId, id: stored.id, kind: parsed.spec.kind }, 'announcement scheduled');
      return view(stored);
    },

    /** The guild's schedules with their next run. */
    list(guildId: string): ScheduleView[] {
      return deps.settings.schedules.list(guildId).map(view);
    },

    /** Cancels a schedule; throws announce.unknown when the guild has no such schedule. */
    cancel(guildId: string, id: number): void {
      if (!deps.settings.schedules.remove(guildId, id)) throw new BotError('announce.unknown', { id });
      scheduler.untrack(id);
      log.info({ guildId, id }, 'scheduled announcement cancelled');
    },

    /** Starts firing schedules (after login). */
    start(): void {
      scheduler.start();
    },

    /** Stops the scheduler (shutdown). */
    stop(): void {
      scheduler.stop();
    },
  };
}

/** The announce service's shape. */
export type AnnounceService = ReturnType<typeof createAnnounceService>;
