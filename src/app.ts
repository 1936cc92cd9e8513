import { createRequire } from 'node:module';
import { generateDependencyReport } from '@discordjs/voice';
import { Status, type Client } from 'discord.js';
import { BotError } from './errors.js';
import type { Config } from './config.js';
import type { Command } from './discord/commandTypes.js';
import { createDiscordClient } from './discord/client.js';
import { createChannelMessenger, type ChannelMessenger } from './discord/channelMessenger.js';
import { createInteractionRouter } from './discord/router.js';
import { loadCatalogs } from './i18n/catalog.js';
import { localizeCommand } from './i18n/commandLocalizations.js';
import { createTranslator, type Translator } from './i18n/translator.js';
import { guildVoiceView } from './discord/guildVoiceView.js';
import { wireDiscordEvents } from './discord/events.js';
import { createAnnounceService, type AnnounceService } from './features/announcements/announceService.js';
import { createPresenceAnnouncer } from './features/announcements/presenceAnnouncer.js';
import { createPronunciation } from './features/pronunciation.js';
import { createEmojiNames } from './i18n/emojiNames.js';
import { createSpokenPhrases, type SpokenPhrases } from './i18n/spokenPhrases.js';
import { createReadingService, type ReadingService } from './features/reading/readingService.js';
import { createSpeakService, type SpeakService } from './features/speak.js';
import { createVoiceMessageMaker, type VoiceMessageMaker } from './features/voiceMessage.js';
import { createTranscribeService, type TranscribeService } from './features/transcribe.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { startOpsServer, type OpsServer, type ReadinessCheck } from './observability/opsServer.js';
import { OutcomeWindow } from './observability/outcomeWindow.js';
import { shutDown } from './observability/shutdown.js';
import { createMeteredSpeechClient } from './speech/meteredSpeechClient.js';
import type { SpeechRequest } from './speech/request.js';
import type { AudioCache } from './speech/audioCache.js';
import { createCachingSpeechClient } from './speech/cachingSpeechClient.js';
import { createFairLimiter } from './speech/fairLimiter.js';
import { createLimitedSpeechClient } from './speech/limitedSpeechClient.js';
import type { DiagnosticSection } from './observability/diagnostics.js';
import { providerSection } from './speech/providers/diagnostics.js';
import { botSection, permissionsSection } from './discord/diagnostics.js';
import { logNewcomerHelp } from './discord/newcomerHelp.js';
import { storageSection } from './settings/diagnostics.js';
import { usageSection } from './usage/diagnostics.js';
import { voiceSection } from './voice/diagnostics.js';
import { createSpeechProviders } from './speech/providers/index.js';
import { createTranscription } from './speech/transcription/index.js';
import type { SpeechClient } from './speech/speechClient.js';
import { openSettingsStore } from './settings/openStore.js';
import { ownsGuild } from './sharding/assignment.js';
import { createBudgetedSpeechClient } from './usage/budgetedSpeechClient.js';
import { createUsageMeter, type UsageMeter } from './usage/usageMeter.js';
import type { SettingsStore } from './settings/types.js';
import { GuildPlayback } from './voice/GuildPlayback.js';
import { PlaybackRegistry } from './voice/PlaybackRegistry.js';
import { createAudioPreparer } from './voice/audioPipeline.js';
import { createDiscordVoiceLink } from './voice/discordVoiceLink.js';
import { systemClock, type Clock, type VoiceLinkFactory } from './voice/ports.js';

/** Everything commands may call. */
export interface Services {
  config: Config;
  speak: SpeakService;
  playback: PlaybackRegistry<SpeechRequest>;
  settings: SettingsStore;
  reading: ReadingService;
  announce: AnnounceService;
  /** Rate limits, character budgets and the usage figures. */
  usage: UsageMeter;
  /** Speech to text for messages (the Transcribe menu, voice messages in channels read aloud). */
  transcribe: TranscribeService;
  /** Posts a plain message in a channel (no pings). */
  notify(channelId: string, content: string): Promise<void>;
  /** Makes voice messages from text (speech → mono Ogg Opus, duration, waveform). */
  voiceMessages: VoiceMessageMaker;
  /** Posts a native voice message in a channel (no pings); see ChannelMessenger.postVoiceMessage. */
  postVoiceMessage: ChannelMessenger['postVoiceMessage'];
  logger: Logger;
  /** The sections of /diagnose, each from the service that knows its facts. */
  diagnostics: DiagnosticSection[];
  /** The Prometheus metrics of this bot. */
  metrics: Metrics;
  /** What the bot says aloud in a guild, in its spoken language (`language` setting, else the server's locale). */
  spokenPhrases(guildId: string): SpokenPhrases;
}

/** A command of this bot. */
export type BotCommand = Command<Services>;

/** Replaceable parts, for tests and benchmarks. */
export interface AppOverrides {
  logger?: Logger;
  speech?: SpeechClient;
  clock?: Clock;
  voiceLink?: VoiceLinkFactory;
  ffmpegPath?: string;
  settings?: SettingsStore;
  /** The opened audio cache (opening is asynchronous, so the caller opens it); none: no cache. */
  audioCache?: AudioCache;
  /** The message catalogs (default: the files in src/i18n/catalogs). */
  translator?: Translator;
}

/** The running bot: its parts, and how to start and stop it. */
export interface App {
  client: Client;
  services: Services;
  start(): Promise<void>;
  /** The orderly shutdown: no new work, the item being said finishes (up to SHUTDOWN_GRACE_S), members told, all closed. */
  stop(): Promise<void>;
}

/** Voice events gathered into one announcement, and the least time between two about one member. */
const PRESENCE_WINDOW_MS = 2_000;
const PRESENCE_FLAP_MS = 30_000;

/** The speech endpoint is "not ready" when every call of this last window failed. */
const SPEECH_READINESS_WINDOW_MS = 60_000;

/** 20 ms packets held before an item starts playing: absorbs jitter at a cost of 60 ms (200 ms through ffmpeg). */
const PREBUFFER_PACKETS = 3;
const TRANSCODED_PREBUFFER_PACKETS = 10;

/** The bot's version, from package.json. */
function botVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('../package.json') as { version: string }).version;
}

function bundledFfmpegPath(): string {
  const require = createRequire(import.meta.url);
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

/** The composition root: wires config, logger, speech, voice, Discord and commands. */
export function createApp(config: Config, commands: readonly BotCommand[], overrides: AppOverrides = {}): App {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const translator = overrides.translator ?? createTranslator(loadCatalogs());
  const clock = overrides.clock ?? systemClock;
  // The configured providers behind one SpeechClient: failover in order, a circuit breaker each, model fallbacks.
  const providers = createSpeechProviders({ tts: config.tts, logger, clock });
  const metrics = createMetrics();
  const speechOutcomes = new OutcomeWindow(SPEECH_READINESS_WINDOW_MS, () => clock.now());
  // Every provider-chain call is counted (outcome, characters, time to first byte) and feeds /readyz.
  const provider = createMeteredSpeechClient(overrides.speech ?? providers.chain, (outcome, characters, ttfbMs) => {
    metrics.speechRequest(outcome, characters, ttfbMs);
    if (outcome !== 'aborted') speechOutcomes.record(outcome === 'ok');
  });
  const settings = overrides.settings ?? openSettingsStore(config, logger);
  const usage = createUsageMeter({ settings, botDailyBudget: config.usage.dailyCharBudget, prices: config.usage.prices, transcribePrices: config.transcribe.prices, clock, logger });
  // At most TTS_MAX_CONCURRENCY provider calls at once, guilds served in turn; the cache sits above it so a hit takes no slot.
  // One limiter for every call to the providers (speech and transcription): TTS_MAX_CONCURRENCY bounds them together.
  const providerLimiter = createFairLimiter({ maxInFlight: config.tts.maxConcurrency });
  const limited = createLimitedSpeechClient({ inner: provider, limiter: providerLimiter, logger });
  // Character budgets are checked on a cache miss, before a slot is awaited: a cached phrase plays when the budget is spent.
  const budgeted = createBudgetedSpeechClient({ inner: limited, meter: usage });
  // Behind the speech client interface: a hit plays from disk, identical requests in flight share one provider call.
  const speech: SpeechClient = overrides.audioCache
    ? createCachingSpeechClient({
        inner: budgeted,
        cache: overrides.audioCache,
        logger,
        ...(overrides.speech ? {} : { plan: providers.chain.plan }),
        onSaved: (request, o) => usage.saved({ guildId: o.key, memberId: o.memberId }, request.model, request.input.length),
      })
    : budgeted;
  const client = createDiscordClient({
    apiUrl: config.discord.apiUrl,
    messageContent: config.reading.enabled,
    ...(config.sharding ? { shards: config.sharding } : {}),
  });
  const ffmpegPath = overrides.ffmpegPath ?? config.ffmpegPath ?? bundledFfmpegPath();
  const prepare = createAudioPreparer({
    speech,
    ffmpegPath,
    logger,
    prebufferPackets: PREBUFFER_PACKETS,
    transcodedPrebufferPackets: TRANSCODED_PREBUFFER_PACKETS,
    pipeline: config.tts.pipeline,
    oneProviderPerItem: config.tts.providers.length > 1,
  });
  const voiceLink: VoiceLinkFactory =
    overrides.voiceLink ??
    ((guildId) => {
      const guild = client.guilds.cache.get(guildId);
      if (!guild) throw new Error(`guild ${guildId} is not cached`);
      return createDiscordVoiceLink({
        guildId,
        adapterCreator: guild.voiceAdapterCreator,
        group: config.discord.applicationId,
        logger,
        onRejoin: () => metrics.reconnect('voice'),
        readyTimeoutMs: 15_000,
        maxRejoins: 3,
        rejoinWindowMs: 60_000,
        maxMissedFrames: Math.ceil(config.tts.stallTimeoutMs / 20) + 10,
        daveReadyTimeoutMs: 2_000,
      });
    });
  const playback = new PlaybackRegistry<SpeechRequest>(
    (guildId) =>
      new GuildPlayback<SpeechRequest>(
        guildId,
        voiceLink(guildId),
        prepare,
        {
          maxQueue: config.queue.maxPerGuild,
          maxPerMember: config.queue.maxPerMember,
          idleTimeoutMs: config.voice.idleTimeoutMs,
          prefetch: 1,
        },
        clock,
        logger.child({ module: 'playback' }),
      ),
  );
  const phrasesIn = createSpokenPhrases(translator, createEmojiNames());
  // The language a guild is spoken to and written to in: its `language` setting, else its preferred locale, else English.
  const spokenLanguage = (guildId: string) =>
    translator.resolve(settings.guild(guildId).language, client.guilds.cache.get(guildId)?.preferredLocale);
  const speak = createSpeakService({ config, speech, playback, settings, logger, spokenLanguage });
  const pronunciation = createPronunciation(settings, (guildId) => phrasesIn(spokenLanguage(guildId)));
  const channels = createChannelMessenger({ client, logger });
  const notify = channels.notify;
  const voiceMessages = createVoiceMessageMaker({ speak, ffmpegPath, logger });
  const voiceOf = (guildId: string) => {
    const guild = client.guilds.cache.get(guildId);
    return guild && client.user ? guildVoiceView(guild, client.user.id) : undefined;
  };
  const cannotSpeakIn = (guildId: string, channelId: string) => {
    const check = voiceOf(guildId)?.check(channelId) ?? { ok: false, error: new BotError('voice.not_voice_channel', { channelId }) };
    return check.ok ? null : check.error;
  };
  const presence = createPresenceAnnouncer({
    settings,
    speak,
    playback,
    pronunciation,
    clock,
    logger,
    windowMs: PRESENCE_WINDOW_MS,
    flapMs: PRESENCE_FLAP_MS,
  });
  const announce = createAnnounceService({
    settings,
    speak,
    playback,
    clock,
    logger,
    ports: {
      cannotSpeakIn,
      humansIn: (guildId, channelId) => voiceOf(guildId)?.humansIn(channelId) ?? 0,
      notify,
      ownsGuild: (guildId) => ownsGuild(config.sharding, guildId),
      guildLanguage: spokenLanguage,
    },
    translator,
  });
  const reading = createReadingService({
    config,
    settings,
    speak,
    playback,
    pronunciation,
    clock,
    logger,
    onResult: (result) => metrics.read(result),
    ports: {
      react: channels.react,
      cannotSpeakIn,
    },
  });
  const transcribe = createTranscribeService({
    settings,
    usage,
    transcription: createTranscription({ tts: config.tts, logger, now: () => clock.now(), onCall: (provider, outcome) => metrics.transcriptionRequest(provider, outcome) }),
    limiter: providerLimiter,
    model: config.transcribe.model,
    ffmpegPath,
    botVoiceChannel: (guildId) => playback.get(guildId)?.channelId ?? null,
    ports: { replyTo: channels.replyTo, react: channels.react },
    guildSay: (guildId) => (key, values) => translator.text(spokenLanguage(guildId), key, values),
    logger,
    onSent: (seconds) => metrics.transcriptionSent(seconds),
    onResult: (trigger, result) => metrics.transcription(trigger, result),
  });
  const services: Services = {
    config,
    speak,
    playback,
    settings,
    reading,
    announce,
    usage,
    transcribe,
    notify,
    voiceMessages,
    postVoiceMessage: channels.postVoiceMessage,
    logger,
    diagnostics: [
      botSection({
        client,
        version: botVersion(),
        startedAt: clock.now(),
        now: () => clock.now(),
        readingCase: () => config.reading.case,
      }),
      permissionsSection(client),
      voiceSection({ ffmpegPath }),
      providerSection(providers),
      usageSection({ usage, settings }),
      storageSection({ dataDir: config.dataDir, cache: () => overrides.audioCache?.stats(), cacheMaxBytes: config.cache.maxBytes, databaseUrl: config.databaseUrl }),
    ],
    metrics,
    spokenPhrases: pronunciation.phrasesFor,
  };
  let accepting = true;
  const router = createInteractionRouter({
    commands,
    services,
    logger,
    admitSpeech: (guildId, userId) => usage.admit(guildId, userId),
    observe: (command, outcome) => metrics.interaction(command, outcome),
    accepting: () => accepting,
    translator,
    serverLanguage: spokenLanguage,
  });
  metrics.setSources({
    voice: () => {
      const v = { connections: 0, queued: 0, playing: 0 };
      for (const p of playback.all()) {
        const { status, current, pending } = p.snapshot();
        if (status !== 'idle' && status !== 'destroyed') v.connections++;
        if (current) v.playing++;
        v.queued += pending.length;
      }
      return v;
    },
    providers: () => providers.chain.status().map((s) => ({ name: s.name, counts: { ...s.counts } })),
    cache: () => overrides.audioCache?.stats(),
    settings: () => settings.stats(),
  });
  const readiness: ReadinessCheck[] = [
    { name: 'gateway', ready: () => client.ws.status === Status.Ready },
    { name: 'settings', ready: () => settings.isOpen() },
    { name: 'speech', ready: () => !speechOutcomes.allFailed() },
  ];
  let ops: OpsServer | undefined;

  wireDiscordEvents({
    client,
    playback: playback as PlaybackRegistry<unknown>,
    logger,
    metrics,
    onInteraction: (interaction) => void router.handle(interaction),
    presence,
    reading: config.reading.enabled ? reading : undefined,
    transcribe,
    onFirstReady: (c) =>
      void logNewcomerHelp({
        rest: c.rest,
        applicationId: config.discord.applicationId,
        devGuildId: config.discord.devGuildId,
        definitions: commands.map((command) => localizeCommand(translator, command.data)),
        dataDir: config.dataDir,
        logger,
      }),
    onReady: () => announce.start(),
  });

  return {
    client,
    services,
    async start() {
      if (config.http.port > 0) {
        ops = await startOpsServer({ host: config.http.host, port: config.http.port, registry: metrics.registry, checks: readiness, logger });
      }
      // The report's FFmpeg line speaks of the library's own lookup; ours is passed explicitly and logged beside it.
      logger.info({ report: generateDependencyReport(), ffmpegPath }, 'voice dependencies');
      logger.info({ providers: providers.specs.map((p) => p.name) }, 'speech providers, in order');
      if (!overrides.speech) providers.watch.start();
      await client.login(config.discord.token);
    },
    stop: () =>
      shutDown(
        {
          stopIntake() {
            accepting = false;
            providers.watch.stop();
            announce.stop();
            presence.dispose();
            reading.stop();
          },
          dropQueued() {
            let dropped = 0;
            for (const p of playback.all()) dropped += p.dropPending('restarting');
            return dropped;
          },
          settled: () => ![...playback.all()].some((p) => p.busy),
          async release() {
            // An item cut at the end of the grace time tells its member why.
            for (const p of playback.all()) p.leave('restarting');
            playback.destroyAll();
            // Members whose items were dropped read why before the gateway closes.
            await router.repliesSent();
            await client.destroy();
            await overrides.audioCache?.close();
            settings.close();
            await ops?.close();
          },
        },
        { graceMs: config.shutdown.graceMs, logger },
      ),
  };
}
