/**
 * The voice preparer speaking long text as a pipeline of sentence parts, against a fake provider that returns real
 * Ogg Opus (libopus via opusscript, muxed by test/support/oggOpus.ts).
 */
import { PassThrough, finished, type Readable } from 'node:stream';
import { setImmediate as tick, setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { createFairLimiter } from '../../../src/speech/fairLimiter.js';
import { createLimitedSpeechClient } from '../../../src/speech/limitedSpeechClient.js';
import { MAX_INPUT_CHARS, type SpeechRequest } from '../../../src/speech/request.js';
import { splitForSpeech, type SentenceSplitOptions } from '../../../src/speech/sentenceSplit.js';
import type { SpeechAudio, SpeechClient, SynthesizeOptions } from '../../../src/speech/speechClient.js';
import { SpeechError } from '../../../src/speech/speechErrors.js';
import { createAudioPreparer, type PartsPipelineSettings } from '../../../src/voice/audioPipeline.js';
import { packetDurationMs } from '../../../src/voice/opus/index.js';
import { encodeOpusPackets, muxOggOpus, parseOggPages, type OpusEncodeOptions } from '../../support/oggOpus.js';
import { sineWave } from '../../support/pcm.js';
import { rejectionOf } from '../../support/rejectionOf.js';
import { until } from './fakeProvider.js';

const logger = createLogger('silent');
const GUILD = '111111111111111111';
const PREBUFFER = 3;
/** One sentence per part, so the tests know the parts: each sentence is ~27 characters. */
const ONE_SENTENCE_EACH: SentenceSplitOptions = { firstMaxChars: 30, firstMinChars: 0, maxChars: 30 };

const textOf = (n: number) => Array.from({ length: n }, (_, i) => `Sentence number ${String(i).padStart(2, '0')} is here.`).join(' ');
const requestFor = (input: string): SpeechRequest => ({ model: 'gpt-4o-mini-tts', input, voice: 'alloy', response_format: 'mp3', speed: 1 });

/** A part's audio: the Opus packets it holds and the Ogg file carrying them (two packets per page). */
interface PartAudio {
  packets: Buffer[];
  ogg: Buffer;
}

const audioCache = new Map<string, PartAudio>();
/** Real Ogg Opus for a text: a tone of its own (by text), 0.3–0.6 s of 20 ms packets (or 60 ms ones when asked). */
function audioFor(text: string, shape: Partial<OpusEncodeOptions> = {}): PartAudio {
  const key = `${text}\u0000${JSON.stringify(shape)}`;
  let audio = audioCache.get(key);
  if (!audio) {
    let hash = 0;
    for (const ch of text) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
    const pcm = sineWave(220 + (hash % 800), 0.3 + (hash % 4) * 0.1);
    const opts: OpusEncodeOptions = { channels: 1, frameMs: 20, ...shape };
    const packets = encodeOpusPackets(pcm, opts);
    const ogg = muxOggOpus(packets, { channels: 1, headerInputSampleRate: 24000, packetsPerPage: 2, totalSamples: pcm.length });
    audio = { packets, ogg };
    audioCache.set(key, audio);
  }
  return audio;
}

/** The raw pages of an Ogg file, to send one at a time. */
function rawPages(ogg: Buffer): Buffer[] {
  const pages: Buffer[] = [];
  let pos = 0;
  for (const page of parseOggPages(ogg)) {
    const length = 27 + page.lacing.length + page.body.length;
    pages.push(ogg.subarray(pos, pos + length));
    pos += length;
  }
  return pages;
}

/** How a call of the scripted provider ends. */
type Fault = { kind: 'refuse'; error: Error } | { kind: 'cut'; afterPages: number; error: Error };

/** One provider call as the scripted provider saw it. */
interface ScriptedCall {
  input: string;
  options: SynthesizeOptions;
  /** Packets the reader had taken from the preparer's stream when this call was made. */
  consumedAtStart: number;
  over: boolean;
}

/**
 * A provider that answers by itself with real Ogg Opus, one page per event-loop turn (or per `pageDelayMs`), after
 * `ttfbMs`. It counts calls in flight (from synthesize() until the body is over) and honours aborts like the real client.
 */
function scriptedProvider(options: { ttfbMs?: number; pageDelayMs?: number; fault?: (input: string) => Fault | undefined; shape?: Partial<OpusEncodeOptions> } = {}) {
  const calls: ScriptedCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const consumed = { packets: 0 };
  const client: SpeechClient = {
    async synthesize(req, opts = {}) {
      const call: ScriptedCall = { input: req.input, options: opts, consumedAtStart: consumed.packets, over: false };
      calls.push(call);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const over = () => {
        if (call.over) return;
        call.over = true;
        inFlight--;
      };
      try {
        expect(req.response_format).toBe('opus');
        await (options.ttfbMs ? sleep(options.ttfbMs, undefined, { signal: opts.signal }) : tick());
        opts.signal?.throwIfAborted();
        const fault = options.fault?.(req.input);
        if (fault?.kind === 'refuse') throw fault.error;
        const body = new PassThrough();
        finished(body, { writable: false }, over);
        opts.signal?.addEventListener('abort', () => body.destroy(opts.signal!.reason as Error), { once: true });
        void (async () => {
          const pages = rawPages(audioFor(req.input, options.shape).ogg);
          for (const [i, page] of pages.entries()) {
            if (body.destroyed) return;
            if (fault?.kind === 'cut' && i === fault.afterPages) {
              body.destroy(fault.error);
              return;
            }
            body.write(page);
            await (options.pageDelayMs ? sleep(options.pageDelayMs) : tick());
          }
          body.end();
        })();
        return { stream: body, contentType: 'audio/ogg', ttfbMs: options.ttfbMs ?? 0, attempts: 1 } satisfies SpeechAudio;
      } catch (err) {
        over();
        throw opts.signal?.aborted ? opts.signal.reason : err;
      }
    },
  };
  return {
    client,
    calls,
    consumed,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

function preparerWith(speech: SpeechClient, pipeline: Partial<PartsPipelineSettings> = {}) {
  return createAudioPreparer({
    speech,
    ffmpegPath: 'ffmpeg-is-not-used-here',
    logger,
    prebufferPackets: PREBUFFER,
    transcodedPrebufferPackets: 10,
    pipeline: { minChars: 40, ahead: 2, split: ONE_SENTENCE_EACH, ...pipeline },
  });
}

/** Reads every packet; `pace` runs after each one (a slow player). */
async function readAll(stream: Readable, pace?: () => Promise<void>, counter?: { packets: number }): Promise<{ packets: Buffer[]; error: unknown }> {
  const packets: Buffer[] = [];
  let error: unknown;
  try {
    for await (const packet of stream) {
      packets.push(packet as Buffer);
      if (counter) counter.packets++;
      if (pace) await pace();
    }
  } catch (err) {
    error = err;
  }
  return { packets, error };
}

function expectSamePackets(actual: Buffer[], expected: Buffer[]): void {
  expect(actual.length).toBe(expected.length);
  const firstDifference = actual.findIndex((p, i) => !p.equals(expected[i]!));
  expect(firstDifference).toBe(-1);
}

describe('parts pipeline: what comes out', () => {
  it('one stream: the packets of every part, in order, their count the sum of the parts', async () => {
    const provider = scriptedProvider();
    const text = textOf(7);
    const parts = splitForSpeech(text, ONE_SENTENCE_EACH);
    expect(parts).toHaveLength(7);
    const prepared = await preparerWith(provider.client)(requestFor(text), new AbortController().signal, { guildId: GUILD });
    const { packets, error } = await readAll(prepared.packets);
    expect(error).toBeUndefined();
    const expected = parts.flatMap((part) => audioFor(part).packets);
    expectSamePackets(packets, expected);
    expect(packets.length).toBe(parts.reduce((sum, part) => sum + audioFor(part).packets.length, 0));
    for (const packet of packets) expect(packetDurationMs(packet)).toBe(20);
    // Each part is its own provider call (so cached and limited on its own), in order, for this guild, as Opus.
    expect(provider.calls.map((c) => c.input)).toEqual(parts);
    for (const call of provider.calls) expect(call.options.key).toBe(GUILD);
    expect(prepared.ttfbMs).toBe(0);
  });

  it('parts whose provider sends 60 ms packets come out as 20 ms packets (the reframer), three per packet', async () => {
    const shape = { frameMs: 20, framesPerPacket: 3 } as const;
    const provider = scriptedProvider({ shape });
    const text = textOf(3);
    const prepared = await preparerWith(provider.client)(requestFor(text), new AbortController().signal, { guildId: GUILD });
    const { packets, error } = await readAll(prepared.packets);
    expect(error).toBeUndefined();
    const parts = splitForSpeech(text, ONE_SENTENCE_EACH);
    expect(packets.length).toBe(parts.reduce((sum, part) => sum + audioFor(part, shape).packets.length * 3, 0));
    for (const packet of packets) expect(packetDurationMs(packet)).toBe(20);
  });

  it('text up to the threshold is one request, as before', async () => {
    const provider = scriptedProvider();
    const text = 'Short. Sentences. But under forty.';
    const prepared = await preparerWith(provider.client)(requestFor(text), new AbortController().signal, { guildId: GUILD });
    const { packets } = await readAll(prepared.packets);
    expect(provider.calls.map((c) => c.input)).toEqual([text]);
    expectSamePackets(packets, audioFor(text).packets);
  });

  it('minChars 0 turns the pipeline off for anything one request can take', async () => {
    const provider = scriptedProvider();
    const text = textOf(6);
    const prepared = await preparerWith(provider.client, { minChars: 0 })(requestFor(text), new AbortController().signal, { guildId: GUILD });
    await readAll(prepared.packets);
    expect(provider.calls.map((c) => c.input)).toEqual([text]);
  });

  it('text over one request’s 4096 characters is split even with the pipeline off (or not configured)', async () => {
    const provider = scriptedProvider();
    const text = 'This sentence is long enough to add up quickly over many repeats. '.repeat(70).trim();
    expect(text.length).toBeGreaterThan(MAX_INPUT_CHARS);
    const preparer = createAudioPreparer({ speech: provider.client, ffmpegPath: 'x', logger, prebufferPackets: 3, transcodedPrebufferPackets: 10 });
    const prepared = await preparer(requestFor(text), new AbortController().signal, { guildId: GUILD });
    const { packets, error } = await readAll(prepared.packets);
    expect(error).toBeUndefined();
    expect(provider.calls.length).toBeGreaterThan(1);
    for (const call of provider.calls) expect(call.input.length).toBeLessThanOrEqual(MAX_INPUT_CHARS);
    expect(provider.calls.map((c) => c.input)).toEqual(splitForSpeech(text));
    expect(packets.length).toBe(provider.calls.reduce((sum, c) => sum + audioFor(c.input).packets.length, 0));
  });
});

describe('parts pipeline: how many parts run', () => {
  it.each([1, 2, 3])('ahead %i: never more than ahead + 1 calls in flight, and that many are used', async (ahead) => {
    const provider = scriptedProvider();
    const text = textOf(9);
    const prepared = await preparerWith(provider.client, { ahead })(requestFor(text), new AbortController().signal, { guildId: GUILD });
    const samples: number[] = [];
    const { packets, error } = await readAll(
      prepared.packets,
      async () => {
        samples.push(provider.inFlight);
        await tick();
      },
      provider.consumed,
    );
    expect(error).toBeUndefined();
    expect(provider.calls).toHaveLength(9);
    expect(provider.maxInFlight).toBe(ahead + 1);
    expect(Math.max(...samples)).toBeLessThanOrEqual(ahead + 1);
    expect(packets.length).toBe(splitForSpeech(text, ONE_SENTENCE_EACH).reduce((s, p) => s + audioFor(p).packets.length, 0));
  });

  it('part j is requested only once the reader is on part j - ahead (a skip wastes at most `ahead` parts)', async () => {
    const ahead = 2;
    const provider = scriptedProvider();
    const text = textOf(8);
    const parts = splitForSpeech(text, ONE_SENTENCE_EACH);
    const prepared = await preparerWith(provider.client, { ahead })(requestFor(text), new AbortController().signal, { guildId: GUILD });
    await readAll(prepared.packets, () => tick(), provider.consumed);
    const before = (n: number) => parts.slice(0, n).reduce((s, p) => s + audioFor(p).packets.length, 0);
    // The stream holds at most its highWaterMark (25 packets) ahead of the reader.
    const readAhead = 25 + 1;
    for (const [j, call] of provider.calls.entries()) {
      if (j <= ahead) expect(call.consumedAtStart).toBe(0);
      else expect(call.consumedAtStart + readAhead).toBeGreaterThanOrEqual(before(j - ahead));
    }
  });

  it('the second part is requested before the first part’s packets are all consumed', async () => {
    const provider = scriptedProvider();
    const text = textOf(4);
    const first = audioFor(splitForSpeech(text, ONE_SENTENCE_EACH)[0]!);
    const prepared = await preparerWith(provider.client)(requestFor(text), new AbortController().signal, { guildId: GUILD });
    // Nothing read yet, and parts 2 and 3 are already on their way.
    expect(provider.calls.length).toBe(3);
    expect(provider.calls[1]!.consumedAtStart).toBe(0);
    const { packets } = await readAll(prepared.packets, undefined, provider.consumed);
    expect(first.packets.length).toBeGreaterThan(0);
    expect(packets.length).toBeGreaterThan(first.packets.length);
  });

  it('a part’s packets are handed on as they arrive, not after the whole part', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const text = textOf(3);
    const part0 = splitForSpeech(text, ONE_SENTENCE_EACH)[0]!;
    const pages = rawPages(audioFor(part0).ogg);
    const body = new PassThrough();
    const speech: SpeechClient = {
      async synthesize(req) {
        if (req.input !== part0) await gate;
        return { stream: req.input === part0 ? body : new PassThrough().end(audioFor(req.input).ogg), contentType: 'audio/ogg', ttfbMs: 5, attempts: 1 };
      },
    };
    const preparing = preparerWith(speech)(requestFor(text), new AbortController().signal, { guildId: GUILD });
    // Head, tags and two audio pages (four packets): past the pre-buffer of three, the body still open.
    for (const page of pages.slice(0, 4)) body.write(page);
    const prepared = await preparing;
    const got: Buffer[] = [];
    prepared.packets.on('data', (p: Buffer) => got.push(p));
    await until(() => got.length === 4);
    expectSamePackets(got, audioFor(part0).packets.slice(0, 4));
    for (const page of pages.slice(4)) body.write(page);
    body.end();
    release();
    await new Promise((resolve) => prepared.packets.once('end', resolve));
    expect(got.length).toBe(splitForSpeech(text, ONE_SENTENCE_EACH).reduce((s, p) => s + audioFor(p).packets.length, 0));
  });

  it('the pre-buffer gate waits for the first part’s packets only', async () => {
    const text = textOf(3);
    const [part0, part1] = splitForSpeech(text, ONE_SENTENCE_EACH);
    const pages = rawPages(audioFor(part0!).ogg);
    const body0 = new PassThrough();
    const speech: SpeechClient = {
      async synthesize(req) {
        // Later parts never answer in this test: the gate must not wait for them.
        if (req.input !== part0) return new Promise<SpeechAudio>(() => {});
        return { stream: body0, contentType: 'audio/ogg', ttfbMs: 7, attempts: 1 };
      },
    };
    let resolved = false;
    const preparing = preparerWith(speech)(requestFor(text), new AbortController().signal, { guildId: GUILD }).then((p) => {
      resolved = true;
      return p;
    });
    body0.write(Buffer.concat(pages.slice(0, 3))); // head, tags, 2 packets
    await sleep(20);
    expect(resolved).toBe(false);
    body0.write(pages[3]!); // packets 3 and 4
    const prepared = await preparing;
    expect(prepared.ttfbMs).toBe(7);
    expect(part1).toBeDefined();
    prepared.packets.destroy();
  });
});

describe('parts pipeline: failures and aborts', () => {
  it('a provider error in part 2 surfaces after every packet of part 1; later parts are cancelled', async () => {
    const text = textOf(5);
    const parts = splitForSpeech(text, ONE_SENTENCE_EACH);
    const failure = new SpeechError('speech.unavailable', { retryable: true, status: 503 });
    const provider = scriptedProvider({ fault: (input) => (input === parts[1] ? { kind: 'refuse', error: failure } : undefined) });
    const prepared = await preparerWith(provider.client)(requestFor(text), new AbortController().signal, { guildId: GUILD });
    const { packets, error } = await readAll(prepared.packets, () => tick());
    expect(error).toBe(failure);
    expectSamePackets(packets, audioFor(parts[0]!).packets);
    // Part 3 had been requested ahead and was cancelled; parts 4 and 5 were never requested.
    expect(provider.calls.map((c) => c.input)).toEqual(parts.slice(0, 3));
    expect(provider.calls[2]!.options.signal!.aborted).toBe(true);
    await until(() => provider.inFlight === 0);
  });

  it('a body cut part-way through part 2: part 1, then what part 2 made, then the error', async () => {
    const text = textOf(4);
    const parts = splitForSpeech(text, ONE_SENTENCE_EACH);
    const cut = new SpeechError('speech.timeout', { retryable: false, details: { phase: 'stall' } });
    // Pages: head, tags, then two packets per page; cut after 3 audio pages = 6 packets.
    const provider = scriptedProvider({ fault: (input) => (input === parts[1] ? { kind: 'cut', afterPages: 5, error: cut } : undefined) });
    const prepared = await preparerWith(provider.client)(requestFor(text), new AbortController().signal, { guildId: GUILD });
    const { packets, error } = await readAll(prepared.packets);
    expect(error).toBe(cut);
    expectSamePackets(packets, [...audioFor(parts[0]!).packets, ...audioFor(parts[1]!).packets.slice(0, 6)]);
    await until(() => provider.inFlight === 0);
  });

  it('a failing first part rejects the preparer and cancels the parts requested ahead', async () => {
    const text = textOf(4);
    const parts = splitForSpeech(text, ONE_SENTENCE_EACH);
    const failure = new SpeechError('speech.auth', { retryable: false, status: 401 });
    const provider = scriptedProvider({ ttfbMs: 5, fault: (input) => (input === parts[0] ? { kind: 'refuse', error: failure } : undefined) });
    const error = await rejectionOf(preparerWith(provider.client)(requestFor(text), new AbortController().signal, { guildId: GUILD }));
    expect(error).toBe(failure);
    await until(() => provider.inFlight === 0);
    for (const call of provider.calls.slice(1)) expect(call.options.signal!.aborted).toBe(true);
  });

  it('garbage instead of audio in a later part: the error after the earlier parts', async () => {
    const text = textOf(3);
    const parts = splitForSpeech(text, ONE_SENTENCE_EACH);
    const speech: SpeechClient = {
      async synthesize(req) {
        const bytes = req.input === parts[1] ? Buffer.from('<html>502 Bad Gateway</html>') : audioFor(req.input).ogg;
        return { stream: new PassThrough().end(bytes), contentType: 'audio/ogg', ttfbMs: 1, attempts: 1 };
      },
    };
    const prepared = await preparerWith(speech)(requestFor(text), new AbortController().signal, { guildId: GUILD });
    const { packets, error } = await readAll(prepared.packets);
    expect(error).toBeInstanceOf(SpeechError);
    expect((error as SpeechError).key).toBe('speech.bad_audio');
    expectSamePackets(packets, audioFor(parts[0]!).packets);
  });

  it('abort while playing cancels every part in flight and ends the stream; nothing more is requested', async () => {
    const provider = scriptedProvider({ pageDelayMs: 5 });
    const text = textOf(6);
    const controller = new AbortController();
    const prepared = await preparerWith(provider.client)(requestFor(text), controller.signal, { guildId: GUILD });
    expect(provider.calls).toHaveLength(3);
    const reading = readAll(prepared.packets);
    controller.abort(new Error('skipped'));
    const { error } = await reading;
    // Like the single-request path: an abort ends the stream (the player reports a skip, not a failure).
    expect(prepared.packets.destroyed).toBe(true);
    expect(error === undefined || (error as Error).message === 'Premature close').toBe(true);
    for (const call of provider.calls) expect(call.options.signal!.aborted).toBe(true);
    await until(() => provider.inFlight === 0);
    await sleep(30);
    expect(provider.calls).toHaveLength(3);
  });

  it('abort while the first part is still coming rejects the preparer and cancels all parts', async () => {
    const provider = scriptedProvider({ ttfbMs: 50 });
    const controller = new AbortController();
    const preparing = preparerWith(provider.client)(requestFor(textOf(5)), controller.signal, { guildId: GUILD });
    await until(() => provider.calls.length === 3);
    const reason = new Error('left the channel');
    controller.abort(reason);
    expect(await rejectionOf(preparing)).toBe(reason);
    await until(() => provider.inFlight === 0);
    for (const call of provider.calls) expect(call.options.signal!.aborted).toBe(true);
  });

  it('an already aborted signal: no provider call at all', async () => {
    const provider = scriptedProvider();
    const reason = new Error('gone');
    expect(await rejectionOf(preparerWith(provider.client)(requestFor(textOf(4)), AbortSignal.abort(reason), { guildId: GUILD }))).toBe(reason);
    expect(provider.calls).toHaveLength(0);
  });

  it('the player destroying the stream (skip, stop) cancels the parts in flight', async () => {
    const provider = scriptedProvider({ pageDelayMs: 5 });
    const prepared = await preparerWith(provider.client)(requestFor(textOf(6)), new AbortController().signal, { guildId: GUILD });
    prepared.packets.destroy();
    await until(() => provider.inFlight === 0);
    for (const call of provider.calls) expect(call.options.signal!.aborted).toBe(true);
    expect(provider.calls).toHaveLength(3);
  });

  it('through the fair limiter: every path gives its slots back (done, failed part, abort)', async () => {
    const text = textOf(6);
    const parts = splitForSpeech(text, ONE_SENTENCE_EACH);
    const failure = new Error('boom');
    const limiter = createFairLimiter({ maxInFlight: 2 });
    const provider = scriptedProvider({ pageDelayMs: 1, fault: (input) => (input === parts[3] ? { kind: 'cut', afterPages: 3, error: failure } : undefined) });
    const speech = createLimitedSpeechClient({ inner: provider.client, limiter, logger });
    const preparer = preparerWith(speech);

    const ok = await preparer(requestFor(textOf(3)), new AbortController().signal, { guildId: 'a' });
    const failing = await preparer(requestFor(text), new AbortController().signal, { guildId: 'b' });
    const controller = new AbortController();
    const aborted = await preparer(requestFor(text.replace(/Sentence/g, 'Phrase')), controller.signal, { guildId: 'c' });
    expect(limiter.stats().inFlight).toBeLessThanOrEqual(2);
    const results = await Promise.all([readAll(ok.packets), readAll(failing.packets), (async () => {
      await sleep(10);
      controller.abort();
      return readAll(aborted.packets);
    })()]);
    expect(results[0].error).toBeUndefined();
    expect(results[1].error).toBe(failure);
    await until(() => limiter.stats().inFlight === 0 && limiter.stats().waiting === 0);
    expect(provider.maxInFlight).toBeLessThanOrEqual(2);
  });
});

describe('parts pipeline: pace', () => {
  it('a player reading one packet per 20 ms tick never finds the stream empty between parts (ahead 2), with 60 ms TTFB', async () => {
    const misses = await playRealTime({ ahead: 2, ttfbMs: 60 });
    expect(misses).toBe(0);
  });
});

/** Plays 3 parts like the voice library does (one read per 20 ms); returns how many ticks found no packet. */
async function playRealTime({ ahead, ttfbMs }: { ahead: number; ttfbMs: number }): Promise<number> {
  const provider = scriptedProvider({ ttfbMs });
  const text = textOf(3);
  const prepared = await preparerWith(provider.client, { ahead })(requestFor(text), new AbortController().signal, { guildId: GUILD });
  const stream = prepared.packets;
  let ended = false;
  stream.once('end', () => (ended = true));
  let misses = 0;
  let played = 0;
  while (!ended) {
    const packet = stream.read() as Buffer | null;
    if (packet) played++;
    else misses++;
    await sleep(20);
  }
  expect(played).toBe(splitForSpeech(text, ONE_SENTENCE_EACH).reduce((s, p) => s + audioFor(p).packets.length, 0));
  // The last miss is the read that finds the end.
  return Math.max(0, misses - 1);
}
