import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ErrorKey } from '../errors.js';

/** How an interaction ended: done, refused with a reason (BotError), failed unexpectedly, or turned away while shutting down. */
export type InteractionOutcome = 'ok' | 'refused' | 'failed' | 'shutting_down';
/** How a call to a speech provider ended. */
export type SpeechOutcome = 'ok' | 'error' | 'aborted';
/** How one call to a transcription provider ended: ok, aborted, or the typed error key the chain saw (transcribe.unsupported = no route). */
export type TranscriptionCallOutcome = 'ok' | 'aborted' | ErrorKey;
/** What asked for a transcription: the Transcribe menu, or a voice message in a channel read aloud. */
export type TranscribeTrigger = 'menu' | 'auto';
/** What became of a transcription asked for. */
export type TranscribeResult = 'transcribed' | 'opted_out' | 'no_audio' | 'too_large' | 'budget_spent' | 'failed';
/** What became of a message in a reading channel. */
export type ReadResult = 'read' | 'skipped' | 'dropped';

/** Facts the metrics read when scraped, from the services that own them (set once the services exist). */
export interface MetricSources {
  /** Voice connections open, items waiting and items being said, over every guild. */
  voice(): { connections: number; queued: number; playing: number };
  /** Each configured provider's counters since start (provider names come from the config: a bounded set). */
  providers(): ReadonlyArray<{ name: string; counts: { [result: string]: number } }>;
  /** The audio cache's hits and misses since start, or undefined without a cache. */
  cache(): { hits: number; misses: number } | undefined;
  /** The settings store's SQL statements and reads served from memory since start. */
  settings(): { queries: number; usageQueries: number; cachedReads: number };
}

/** The bot's Prometheus metrics on one registry (created by createApp, never global). No label holds an id. */
export function createMetrics(options: { prefix?: string } = {}) {
  const p = options.prefix ?? 'speechbot_';
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  let sources: Partial<MetricSources> = {};

  const interactions = new Counter({
    name: `${p}interactions_total`,
    help: 'Slash and context-menu commands handled, by command name and outcome',
    labelNames: ['command', 'outcome'] as const,
    registers,
  });
  const speechRequests = new Counter({
    name: `${p}speech_requests_total`,
    help: 'Calls to the speech provider chain, by outcome (cache hits make no call)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const ttfb = new Histogram({
    name: `${p}speech_ttfb_seconds`,
    help: 'Time from a speech request to the first byte of audio',
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
    registers,
  });
  const charactersSent = new Counter({
    name: `${p}speech_characters_sent_total`,
    help: 'Characters of text sent to speech providers (what providers bill)',
    registers,
  });
  const transcriptionRequests = new Counter({
    name: `${p}transcription_requests_total`,
    help: 'Calls to transcription providers, by provider and outcome (ok, aborted, or the error key: transcribe.unsupported = no /audio/transcriptions route, speech.* = the provider error)',
    labelNames: ['provider', 'outcome'] as const,
    registers,
  });
  const audioSecondsSent = new Counter({
    name: `${p}transcription_audio_seconds_sent_total`,
    help: 'Seconds of audio handed to the transcription providers (what they bill; a file passed on to the next provider counts once)',
    registers,
  });
  const transcriptions = new Counter({
    name: `${p}transcriptions_total`,
    help: 'Transcriptions asked for, by trigger (menu, auto = voice message in a channel read aloud) and result (transcribed, opted_out, no_audio, too_large, budget_spent, failed)',
    labelNames: ['trigger', 'result'] as const,
    registers,
  });
  const reads = new Counter({
    name: `${p}reads_total`,
    help: 'Messages in reading channels, by result (read = queued, skipped = not to be read, dropped = refused)',
    labelNames: ['result'] as const,
    registers,
  });
  const reconnects = new Counter({
    name: `${p}reconnects_total`,
    help: 'Reconnections, by connection kind (gateway, voice)',
    labelNames: ['kind'] as const,
    registers,
  });
  new Counter({
    name: `${p}provider_calls_total`,
    help: 'Per speech provider: requests, served, failures, failovers, model fallbacks, skips while its circuit was open',
    labelNames: ['provider', 'result'] as const,
    registers,
    collect() {
      this.reset();
      for (const { name, counts } of sources.providers?.() ?? []) {
        for (const [result, value] of Object.entries(counts)) this.inc({ provider: name, result }, value);
      }
    },
  });
  new Counter({
    name: `${p}audio_cache_lookups_total`,
    help: 'Audio cache lookups, by result (hit, miss)',
    labelNames: ['result'] as const,
    registers,
    collect() {
      this.reset();
      const stats = sources.cache?.();
      if (!stats) return;
      this.inc({ result: 'hit' }, stats.hits);
      this.inc({ result: 'miss' }, stats.misses);
    },
  });
  new Counter({
    name: `${p}settings_reads_total`,
    help: 'Settings store work, by source (sql = settings statements sent to the database, usage_sql = usage counter statements, cache = reads served from memory)',
    labelNames: ['source'] as const,
    registers,
    collect() {
      this.reset();
      const stats = sources.settings?.();
      if (!stats) return;
      this.inc({ source: 'sql' }, stats.queries);
      this.inc({ source: 'usage_sql' }, stats.usageQueries);
      this.inc({ source: 'cache' }, stats.cachedReads);
    },
  });
  const voice = () => sources.voice?.() ?? { connections: 0, queued: 0, playing: 0 };
  new Gauge({
    name: `${p}voice_connections`,
    help: 'Voice channels the bot is in or joining',
    registers,
    collect() {
      this.set(voice().connections);
    },
  });
  new Gauge({
    name: `${p}queue_items`,
    help: 'Items in the voice queues, by state (queued, playing)',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const v = voice();
      this.set({ state: 'queued' }, v.queued);
      this.set({ state: 'playing' }, v.playing);
    },
  });
  // Zero series exist from the start, so rates work from the first scrape.
  for (const outcome of ['ok', 'error', 'aborted'] as const) speechRequests.inc({ outcome }, 0);
  for (const result of ['read', 'skipped', 'dropped'] as const) reads.inc({ result }, 0);
  for (const trigger of ['menu', 'auto'] as const) {
    for (const result of ['transcribed', 'opted_out', 'no_audio', 'too_large', 'budget_spent', 'failed'] as const) transcriptions.inc({ trigger, result }, 0);
  }
  for (const kind of ['gateway', 'voice'] as const) reconnects.inc({ kind }, 0);

  return {
    registry,
    /** Counts one interaction's outcome. */
    interaction(command: string, outcome: InteractionOutcome): void {
      interactions.inc({ command, outcome });
    },
    /** Counts one provider-chain call: its outcome, its time to first byte when audio came, the characters it sent. */
    speechRequest(outcome: SpeechOutcome, characters: number, ttfbMs?: number): void {
      speechRequests.inc({ outcome });
      charactersSent.inc(characters);
      if (ttfbMs !== undefined) ttfb.observe(ttfbMs / 1000);
    },
    /** Counts one call to a transcription provider (provider names come from the config: a bounded set). */
    transcriptionRequest(provider: string, outcome: TranscriptionCallOutcome): void {
      transcriptionRequests.inc({ provider, outcome });
    },
    /** Counts the seconds of one file handed to the transcription providers. */
    transcriptionSent(seconds: number): void {
      audioSecondsSent.inc(seconds);
    },
    /** Counts one transcription asked for and what became of it. */
    transcription(trigger: TranscribeTrigger, result: TranscribeResult): void {
      transcriptions.inc({ trigger, result });
    },
    /** Counts one message considered for reading. */
    read(result: ReadResult): void {
      reads.inc({ result });
    },
    /** Counts one reconnection of the gateway or of a voice connection. */
    reconnect(kind: 'gateway' | 'voice'): void {
      reconnects.inc({ kind });
    },
    /** Connects the scrape-time metrics to the services that own their facts. */
    setSources(next: Partial<MetricSources>): void {
      sources = { ...sources, ...next };
    },
  };
}

/** The bot's metrics. */
export type Metrics = ReturnType<typeof createMetrics>;
