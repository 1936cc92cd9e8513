import type { Readable } from 'node:stream';
import {
  AudioPlayerStatus,
  NoSubscriberBehavior,
  StreamType,
  VoiceConnectionStatus,
  createAudioPlayer,
  createAudioResource,
  entersState,
  joinVoiceChannel,
  type AudioPlayer,
  type AudioResource,
  type DiscordGatewayAdapterCreator,
  type VoiceConnection,
  type VoiceConnectionState,
} from '@discordjs/voice';
import { BotError } from '../errors.js';
import { guardDaveProposals } from './daveProposalGuard.js';
import type { Logger } from '../observability/logger.js';
import type { PlayHandle, VoiceLink, VoiceLinkEvent } from './ports.js';

/** Voice close codes Discord says not to retry: DAVE required, rate limited, call terminated. */
const DO_NOT_REJOIN = new Set([4017, 4021, 4022]);

/** Settings of a guild's real voice connection. */
export interface DiscordVoiceLinkOptions {
  guildId: string;
  adapterCreator: DiscordGatewayAdapterCreator;
  /** Distinguishes bot instances sharing one process (tests, benchmarks); see @discordjs/voice groups. */
  group: string;
  logger: Logger;
  /** Told each time the connection re-joins after a drop (metrics). */
  onRejoin?: () => void;
  readyTimeoutMs: number;
  /** Re-joins allowed within rejoinWindowMs before the bot gives up on the channel. */
  maxRejoins: number;
  rejoinWindowMs: number;
  /** Empty 20 ms ticks tolerated before the player gives up; must outlast the speech stall timeout. */
  maxMissedFrames: number;
  /** How long a join waits, once Ready, for the call's end-to-end encryption (DAVE) group before playing anyway. */
  daveReadyTimeoutMs: number;
}

/**
 * The player prepares a packet on one 20 ms tick of its shared clock and sends it on the next, so a new item's first
 * packet waits 20–40 ms. Preparing it the moment the resource becomes playable (synchronously, so no tick can have
 * prepared one for it yet) lets the next tick send it: one tick less of start latency. Uses the player's own
 * `_stepPrepare` step; if a future version renames it, this does nothing and the item simply starts a tick later.
 */
function primeFirstPacket(player: AudioPlayer, resource: AudioResource): void {
  const step = Reflect.get(player, '_stepPrepare') as (() => void) | undefined;
  if (typeof step !== 'function') return;
  const playingIt = () => player.state.status === AudioPlayerStatus.Playing && player.state.resource === resource;
  if (playingIt()) {
    step.call(player);
    return;
  }
  const onState = () => {
    if (player.state.status === AudioPlayerStatus.Buffering && player.state.resource === resource) return;
    player.off('stateChange', onState);
    if (playingIt()) step.call(player);
  };
  player.on('stateChange', onState);
}

/** Resolves when the connection is Ready on another voice server session than `before` (after a move). */
function readyOnNewServer(c: VoiceConnection, before: unknown, timeoutMs: number): Promise<void> {
  const done = () => c.state.status === VoiceConnectionStatus.Ready && Reflect.get(c.state, 'networking') !== before;
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('voice move did not complete')), timeoutMs);
    const onChange = () => {
      if (done()) finish();
      else if (c.state.status === VoiceConnectionStatus.Destroyed) finish(new Error('voice connection destroyed during a move'));
    };
    const finish = (err?: Error) => {
      clearTimeout(timer);
      c.off('stateChange', onChange);
      if (err) reject(err);
      else resolve();
    };
    c.on('stateChange', onChange);
  });
}

/**
 * Resolves once the connection's DAVE session has joined the call's MLS group (its first transition executed), or
 * after `timeoutMs`; at once when the voice server chose no end-to-end encryption. Playing before that would start
 * the item while the bot is still committing and processing the group's first epoch on the same event loop as the
 * audio clock (a stall of 100 ms and more measured on a loaded machine), and send its first words unencrypted.
 */
function daveSettled(c: VoiceConnection, timeoutMs: number): Promise<'joined' | 'timeout' | 'none'> {
  const networking = Reflect.get(c.state, 'networking') as { state?: unknown } | undefined;
  const dave = networking?.state ? (Reflect.get(networking.state, 'dave') as { protocolVersion?: number } | undefined) : undefined;
  if (!dave || !dave.protocolVersion) return Promise.resolve('none');
  if (c.voicePrivacyCode) return Promise.resolve('joined');
  return new Promise((resolve) => {
    const finish = (outcome: 'joined' | 'timeout') => {
      clearTimeout(timer);
      c.off('transitioned', onTransitioned);
      resolve(outcome);
    };
    const onTransitioned = () => finish('joined');
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    c.on('transitioned', onTransitioned);
  });
}

/** The VoiceLink over @discordjs/voice: one VoiceConnection and one AudioPlayer for a guild. */
export function createDiscordVoiceLink(options: DiscordVoiceLinkOptions): VoiceLink {
  const log = options.logger.child({ module: 'voice', guildId: options.guildId });
  let connection: VoiceConnection | undefined;
  let player: AudioPlayer | undefined;
  let listener: ((event: VoiceLinkEvent) => void) | undefined;
  let channelId: string | null = null;
  // The library resets rejoinAttempts on every successful reconnect, so a server that keeps dropping us would be
  // re-joined forever, each time spending gateway send budget: count re-joins in a sliding window instead.
  let rejoinTimes: number[] = [];

  const lost = (reason: VoiceLinkEvent['reason']) => {
    // Never destroy inside the library's own state change: it goes on using the state it just set (and crashes).
    setImmediate(() => teardown(reason));
  };
  const teardown = (reason: VoiceLinkEvent['reason'], closeCode?: number) => {
    const c = connection;
    if (!c) return;
    connection = undefined;
    channelId = null;
    player?.stop(true);
    if (c.state.status !== VoiceConnectionStatus.Destroyed) c.destroy();
    listener?.({ type: 'disconnected', reason, ...(closeCode === undefined ? {} : { closeCode }) });
  };

  const watch = (c: VoiceConnection) => {
    c.on('stateChange', (oldState: VoiceConnectionState, newState: VoiceConnectionState) => {
      if (c !== connection) return;
      const oldNet = Reflect.get(oldState, 'networking') as NodeJS.EventEmitter | undefined;
      const newNet = Reflect.get(newState, 'networking') as NodeJS.EventEmitter | undefined;
      if (newNet && newNet !== oldNet) {
        newNet.on('stateChange', (_old: unknown, netState: unknown) => {
          const dave = netState && typeof netState === 'object' ? Reflect.get(netState, 'dave') : undefined;
          if (dave === undefined) return;
          const guarded = guardDaveProposals(dave, (reason) => log.warn({ reason }, 'voice: ignored a DAVE proposal for another epoch'));
          if (!guarded) log.warn('voice: the DAVE session has no processProposals to guard (library changed?)');
        });
        // Ahead of the library's own close listener, which would send a re-join (op 4) for every code but 4014.
        // The networking has already closed itself when it emits 'close', so destroying the connection here is safe,
        // and the library's listener then sees a destroyed connection and does nothing.
        newNet.prependOnceListener('close', (code: number) => {
          if (DO_NOT_REJOIN.has(code) && c === connection) {
            log.warn({ closeCode: code }, 'voice server refused the session; not rejoining');
            teardown('refused', code);
          }
        });
      }
      if (newState.status === VoiceConnectionStatus.Disconnected) {
        // 4014 is also sent when a moderator moves the bot: give Discord a moment to reconnect us before giving up.
        void Promise.race([
          entersState(c, VoiceConnectionStatus.Signalling, 5_000),
          entersState(c, VoiceConnectionStatus.Connecting, 5_000),
        ]).catch(() => {
          if (c === connection) lost('closed');
        });
      } else if (newState.status === VoiceConnectionStatus.Signalling && oldState.status !== VoiceConnectionStatus.Signalling) {
        const now = Date.now();
        rejoinTimes = [...rejoinTimes.filter((t) => now - t < options.rejoinWindowMs), now];
        if (rejoinTimes.length > options.maxRejoins || c.rejoinAttempts > options.maxRejoins) {
          log.warn({ rejoins: rejoinTimes.length, windowMs: options.rejoinWindowMs }, 'voice rejoin limit reached');
          lost('rejoin_limit');
        } else {
          log.info({ rejoins: rejoinTimes.length }, 'voice connection re-joining');
          options.onRejoin?.();
        }
      } else if (newState.status === VoiceConnectionStatus.Destroyed && c === connection) {
        lost('closed');
      }
    });
    c.on('error', (err) => log.warn({ err: err.message }, 'voice connection error'));
    c.on('transitioned', (transitionId: number) =>
      log.debug({ channelId: c.joinConfig.channelId, transitionId, privacyCode: c.voicePrivacyCode ?? null }, 'voice: DAVE transition executed'),
    );
  };

  const ensurePlayer = (): AudioPlayer => {
    if (!player) {
      player = createAudioPlayer({
        behaviors: { noSubscriber: NoSubscriberBehavior.Pause, maxMissedFrames: options.maxMissedFrames },
      });
      player.on('error', (err) => log.warn({ err: err.message }, 'audio player error'));
    }
    return player;
  };

  return {
    get channelId() {
      return channelId;
    },

    async join(target) {
      const p = ensurePlayer();
      if (!connection || connection.state.status === VoiceConnectionStatus.Destroyed) {
        channelId = null;
        rejoinTimes = [];
        connection = joinVoiceChannel({
          channelId: target,
          guildId: options.guildId,
          adapterCreator: options.adapterCreator,
          group: options.group,
          selfDeaf: true,
          selfMute: false,
        });
        watch(connection);
      }
      let moving: unknown;
      if (connection && channelId !== target && connection.state.status !== VoiceConnectionStatus.Destroyed && channelId !== null) {
        // rejoin() on a Ready connection stays Ready until Discord's VOICE_SERVER_UPDATE brings a new voice server:
        // waiting for plain Ready would send the first packets to the channel we are leaving.
        moving = Reflect.get(connection.state, 'networking');
        connection.rejoin({ channelId: target, selfDeaf: true, selfMute: false });
      }
      channelId = target;
      const c = connection;
      c.subscribe(p);
      try {
        if (moving !== undefined) await readyOnNewServer(c, moving, options.readyTimeoutMs);
        else await entersState(c, VoiceConnectionStatus.Ready, options.readyTimeoutMs);
        const dave = await daveSettled(c, options.daveReadyTimeoutMs);
        // The privacy code is what members compare in Discord's call UI to check they share the group.
        if (dave === 'joined') log.info({ channelId: target, privacyCode: c.voicePrivacyCode ?? null }, 'voice: end-to-end encrypted call (DAVE)');
        else if (dave === 'timeout') log.info({ timeoutMs: options.daveReadyTimeoutMs }, 'voice: end-to-end encryption group not joined yet; playing anyway');
        else log.warn({ channelId: target }, 'voice: the voice server chose no end-to-end encryption');
      } catch (err) {
        if (c === connection) {
          connection = undefined;
          channelId = null;
          if (c.state.status !== VoiceConnectionStatus.Destroyed) c.destroy();
        }
        throw new BotError('voice.join_failed', {}, { cause: err, message: 'voice connection did not become ready' });
      }
    },

    play(packets: Readable): PlayHandle {
      const p = ensurePlayer();
      const resource: AudioResource = createAudioResource(packets, { inputType: StreamType.Opus });
      const finished = new Promise<void>((resolve, reject) => {
        let failure: Error | undefined;
        // The player wraps stream errors and drops their type; keep the original for the user-facing message.
        packets.once('error', (err: Error) => {
          failure = err;
        });
        const onError = (err: Error & { resource?: AudioResource }) => {
          if (err.resource === resource) failure ??= err;
        };
        const onState = () => {
          if (p.state.status === AudioPlayerStatus.Idle || ('resource' in p.state && p.state.resource !== resource)) {
            p.off('error', onError);
            p.off('stateChange', onState);
            if (failure) reject(failure);
            else resolve();
          }
        };
        p.on('error', onError);
        p.on('stateChange', onState);
      });
      p.play(resource);
      primeFirstPacket(p, resource);
      return {
        finished,
        pause: () => p.pause(true),
        resume: () => p.unpause(),
        stop: () => void p.stop(true),
      };
    },

    destroy() {
      const c = connection;
      connection = undefined;
      channelId = null;
      player?.stop(true);
      if (c && c.state.status !== VoiceConnectionStatus.Destroyed) c.destroy();
    },

    onEvent(l) {
      listener = l;
    },
  };
}
