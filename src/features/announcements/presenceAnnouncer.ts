import { isBotError } from '../../errors.js';
import type { Logger } from '../../observability/logger.js';
import type { SettingsStore } from '../../settings/types.js';
import type { SpeechRequest } from '../../speech/request.js';
import type { PlaybackRegistry } from '../../voice/PlaybackRegistry.js';
import type { Clock } from '../../voice/ports.js';
import type { Pronunciation } from '../pronunciation.js';
import { shorten, type SpeakService } from '../speak.js';
import { renderBatch, templatesFor } from './templates.js';
import { VoiceEventBatcher, type AnnouncementBatch } from './voiceEventBatcher.js';
import { voiceEventFor, type VoiceStateChange } from './voiceEvents.js';

/** Who announcements are queued as: no member's voice or limits apply to them. */
export const ANNOUNCER = { id: 'announcements', name: 'Announcements' } as const;

/** Says who joins, leaves or moves in the bot's voice channel: batched, flap-suppressed, queued as announcements. */
export function createPresenceAnnouncer(deps: {
  settings: SettingsStore;
  speak: SpeakService;
  playback: PlaybackRegistry<SpeechRequest>;
  pronunciation: Pronunciation;
  clock: Clock;
  logger: Logger;
  /** How long events are gathered into one announcement, in ms. */
  windowMs: number;
  /** Least time between two announcements about one member, in ms. */
  flapMs: number;
}) {
  const log = deps.logger.child({ module: 'announcements' });
  // One batcher per guild, for the channel the bot serves there; reset when that channel changes.
  const batchers = new Map<string, { channelId: string; batcher: VoiceEventBatcher }>();

  const say = (guildId: string, channelId: string, batch: AnnouncementBatch) => {
    const s = deps.settings.guild(guildId);
    const playback = deps.playback.get(guildId);
    // The bot left or went elsewhere while the window was open: these names mean nothing there.
    if (!s.announce_joins || playback?.channelId !== channelId) return;
    const phrases = deps.pronunciation.phrasesFor(guildId);
    const templates = templatesFor({ join: s.announce_join_template, leave: s.announce_leave_template, move: s.announce_move_template }, phrases);
    const text = renderBatch(batch, templates, phrases);
    if (text === '') return;
    try {
      deps.speak.toVoice({
        guildId,
        channelId,
        requester: { ...ANNOUNCER },
        ask: { text },
        label: `announcement: ${shorten(text, 60)}`,
        priority: 'announcement',
      });
      log.info({ guildId, joined: batch.joined.length, left: batch.left.length, moved: batch.moved.length }, 'presence announced');
    } catch (err) {
      log.warn({ guildId, key: isBotError(err) ? err.key : 'internal' }, 'presence announcement not queued');
      if (!isBotError(err)) log.error({ err }, 'presence announcement failed');
    }
  };

  const batcherFor = (guildId: string, channelId: string): VoiceEventBatcher => {
    const current = batchers.get(guildId);
    if (current?.channelId === channelId) return current.batcher;
    current?.batcher.dispose();
    const batcher = new VoiceEventBatcher({
      clock: deps.clock,
      windowMs: deps.windowMs,
      flapMs: deps.flapMs,
      onFlush: (batch) => say(guildId, channelId, batch),
    });
    batchers.set(guildId, { channelId, batcher });
    return batcher;
  };

  return {
    /** A member's voice state changed in a guild (the bot's own changes go to botMoved). */
    onVoiceStateChange(guildId: string, change: VoiceStateChange): void {
      const playback = deps.playback.get(guildId);
      const status = playback?.state.status;
      const botChannel = status === undefined || status === 'idle' || status === 'destroyed' ? null : playback!.channelId;
      const event = voiceEventFor(change, botChannel);
      if (!event || !deps.settings.guild(guildId).announce_joins) return;
      const { pronunciation } = deps;
      const phrases = pronunciation.phrasesFor(guildId);
      const label = pronunciation.sayLabel(guildId, pronunciation.spokenName(guildId, change.userId, change.name), phrases.say('someone'));
      const name = pronunciation.withNameTemplate(guildId, label);
      const channelName =
        event.kind === 'move' && change.toChannelName ? pronunciation.sayLabel(guildId, change.toChannelName, phrases.say('anotherChannel')) : undefined;
      batcherFor(guildId, botChannel!).push({ ...event, name, ...(channelName ? { channelName } : {}) });
    },

    /** The bot left or changed channel in a guild: what was gathered there is dropped. */
    botMoved(guildId: string): void {
      batchers.get(guildId)?.batcher.dispose();
      batchers.delete(guildId);
    },

    /** Stops every timer (shutdown). */
    dispose(): void {
      for (const { batcher } of batchers.values()) batcher.dispose();
      batchers.clear();
    },
  };
}

/** The presence announcer's shape. */
export type PresenceAnnouncer = ReturnType<typeof createPresenceAnnouncer>;
