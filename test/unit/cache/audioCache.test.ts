import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.js';
import { AudioCache, audioCacheKey } from '../../../src/speech/audioCache.js';
import type { SpeechRequest } from '../../../src/speech/request.js';

const logger = createLogger('silent');
const base: SpeechRequest = { model: 'gpt-4o-mini-tts', input: 'Hello there', voice: 'alloy', response_format: 'opus', speed: 1 };

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'audio-cache-')), 'audio-cache');
});
afterEach(async () => {
  await rm(join(dir, '..'), { recursive: true, force: true });
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Every file under the cache directory, relative to it. */
async function filesIn(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort();
}

/** Stores `body` under a key derived from `name`, in chunks; returns the key. */
async function put(cache: AudioCache, name: string, body: Buffer): Promise<{ key: string; committed: boolean }> {
  const key = audioCacheKey({ ...base, input: name });
  const writer = cache.writer(key, 'opus');
  for (let i = 0; i < body.length; i += 64) writer.write(body.subarray(i, i + 64));
  return { key, committed: await writer.commit() };
}

describe('audio cache: keys', () => {
  it('changes with everything that changes the audio, and only with that', () => {
    const key = audioCacheKey(base);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(audioCacheKey({ ...base })).toBe(key);
    // Property order in the object does not matter.
    expect(audioCacheKey({ speed: 1, response_format: 'opus', voice: 'alloy', input: 'Hello there', model: 'gpt-4o-mini-tts' })).toBe(key);
    const variants: SpeechRequest[] = [
      { ...base, speed: 1.25 },
      { ...base, voice: 'nova' },
      { ...base, model: 'tts-1' },
      { ...base, response_format: 'mp3' },
      { ...base, instructions: 'Speak softly' },
      { ...base, input: 'Hello there!' },
    ];
    const keys = new Set([key, ...variants.map((v) => audioCacheKey(v))]);
    expect(keys.size).toBe(variants.length + 1);
  });

  it('treats missing and empty instructions alike', () => {
    expect(audioCacheKey({ ...base, instructions: '' })).toBe(audioCacheKey(base));
  });
});

describe('audio cache: entries', () => {
  it('misses, then serves the committed bytes from a sharded, content-addressed file', async () => {
    const cache = await AudioCache.open({ dir, maxBytes: 1_000_000, logger });
    const body = randomBytes(1000);
    const key = audioCacheKey(base);
    expect(await cache.open(key)).toBeUndefined();
    const { committed } = await put(cache, base.input, body);
    expect(committed).toBe(true);
    const stream = await cache.open(key);
    expect(stream).toBeDefined();
    expect((await readAll(stream!)).equals(body)).toBe(true);
    expect(await filesIn(dir)).toEqual([join(key.slice(0, 2), `${key}.ogg`)]);
    expect(cache.stats()).toEqual({ hits: 1, misses: 1, bytes: 1000, entries: 1 });
  });

  it('aborted writers leave neither an entry nor a temp file', async () => {
    const cache = await AudioCache.open({ dir, maxBytes: 1_000_000, logger });
    const key = audioCacheKey(base);
    const writer = cache.writer(key, 'opus');
    writer.write(randomBytes(500));
    await writer.abort();
    expect(await writer.commit()).toBe(false);
    expect(await cache.open(key)).toBeUndefined();
    expect(await filesIn(dir)).toEqual([]);
    expect(cache.stats().entries).toBe(0);
  });

  it('does not cache an empty body', async () => {
    const cache = await AudioCache.open({ dir, maxBytes: 1_000_000, logger });
    expect(await cache.writer(audioCacheKey(base), 'opus').commit()).toBe(false);
    expect(await filesIn(dir)).toEqual([]);
  });

  it('does not cache entries larger than a quarter of the cap', async () => {
    const cache = await AudioCache.open({ dir, maxBytes: 1000, logger });
    const big = await put(cache, 'big', randomBytes(251));
    expect(big.committed).toBe(false);
    expect(await cache.open(big.key)).toBeUndefined();
    const fits = await put(cache, 'fits', randomBytes(250));
    expect(fits.committed).toBe(true);
    expect(await filesIn(dir)).toHaveLength(1);
    expect(cache.stats()).toMatchObject({ bytes: 250, entries: 1 });
  });

  it('two writers of one key: the last commit wins and the index counts it once', async () => {
    const cache = await AudioCache.open({ dir, maxBytes: 1_000_000, logger });
    const key = audioCacheKey(base);
    const first = cache.writer(key, 'opus');
    const second = cache.writer(key, 'opus');
    const a = randomBytes(300);
    const b = randomBytes(200);
    first.write(a);
    second.write(b);
    const results = await Promise.all([first.commit(), second.commit()]);
    expect(results).toEqual([true, true]);
    // Which rename lands last is up to the disk; whichever it is, the file and the index agree.
    const stored = await readAll((await cache.open(key))!);
    expect(stored.equals(a) || stored.equals(b)).toBe(true);
    expect(cache.stats()).toMatchObject({ bytes: stored.length, entries: 1 });
    expect(await filesIn(dir)).toHaveLength(1);
  });
});

describe('audio cache: eviction', () => {
  it('evicts least recently used entries, keeping the total under the cap', async () => {
    const cache = await AudioCache.open({ dir, maxBytes: 1000, logger });
    const keys: string[] = [];
    for (const name of ['a', 'b', 'c', 'd', 'e']) keys.push((await put(cache, name, randomBytes(200))).key);
    expect(cache.stats()).toMatchObject({ bytes: 1000, entries: 5 });
    // Touch the oldest: "b" becomes the least recently used.
    await readAll((await cache.open(keys[0]!))!);
    const f = await put(cache, 'f', randomBytes(200));
    expect(f.committed).toBe(true);
    expect(cache.stats()).toMatchObject({ bytes: 1000, entries: 5 });
    expect(await cache.open(keys[1]!)).toBeUndefined();
    for (const key of [keys[0]!, ...keys.slice(2), f.key]) {
      const stream = await cache.open(key);
      expect(stream).toBeDefined();
      await readAll(stream!);
    }
    expect(await filesIn(dir)).toHaveLength(5);

    // One bigger entry pushes out as many of the oldest as needed.
    const g = await put(cache, 'g', randomBytes(250));
    expect(g.committed).toBe(true);
    expect(cache.stats().bytes).toBeLessThanOrEqual(1000);
    expect(cache.stats().entries).toBe(4);
  });

  it('a reader keeps reading an entry evicted under it (POSIX unlink semantics)', async () => {
    const cache = await AudioCache.open({ dir, maxBytes: 400, logger });
    const body = randomBytes(100);
    const { key } = await put(cache, 'victim', body);
    const reader = (await cache.open(key))!;
    for (const name of ['x', 'y', 'z', 'w']) await put(cache, name, randomBytes(100));
    expect(await cache.open(key)).toBeUndefined();
    expect((await readAll(reader)).equals(body)).toBe(true);
  });
});

describe('audio cache: restart', () => {
  it('rebuilds the index from the directory, with recency from file times', async () => {
    const first = await AudioCache.open({ dir, maxBytes: 1000, logger });
    const bodies = new Map<string, Buffer>();
    for (const name of ['a', 'b', 'c']) {
      const body = randomBytes(200);
      bodies.set((await put(first, name, body)).key, body);
    }
    const [a, b, c] = [...bodies.keys()] as [string, string, string];
    // Give the files distinct times: "b" oldest, then "a", then "c".
    const now = Date.now() / 1000;
    await utimes(join(dir, b.slice(0, 2), `${b}.ogg`), now - 30, now - 30);
    await utimes(join(dir, a.slice(0, 2), `${a}.ogg`), now - 20, now - 20);
    await utimes(join(dir, c.slice(0, 2), `${c}.ogg`), now - 10, now - 10);

    const second = await AudioCache.open({ dir, maxBytes: 1000, logger });
    expect(second.stats()).toEqual({ hits: 0, misses: 0, bytes: 600, entries: 3 });

    // Lowering the cap at restart evicts the oldest by file time.
    const third = await AudioCache.open({ dir, maxBytes: 400, logger });
    expect(third.stats()).toMatchObject({ bytes: 400, entries: 2 });
    expect(await third.open(b)).toBeUndefined();
    for (const key of [a, c]) expect((await readAll((await third.open(key))!)).equals(bodies.get(key)!)).toBe(true);
  });

  it('removes temp files left by a crash and ignores foreign files', async () => {
    const first = await AudioCache.open({ dir, maxBytes: 1000, logger });
    const crashed = first.writer(audioCacheKey(base), 'opus');
    crashed.write(randomBytes(100));
    await writeFile(join(dir, '.tmp-deadbeef'), randomBytes(50));
    await writeFile(join(dir, 'README'), 'not an entry');
    // Let the crashed writer's queued write land so its temp file exists.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await filesIn(dir)).filter((f) => f.startsWith('.tmp-'))).toHaveLength(2);

    const second = await AudioCache.open({ dir, maxBytes: 1000, logger });
    expect(await filesIn(dir)).toEqual(['README']);
    expect(second.stats()).toMatchObject({ bytes: 0, entries: 0 });
    // The writer of the "crashed" process cannot resurrect its entry.
    expect(await crashed.commit()).toBe(false);
  });

  it('refuses a nonsensical cap', async () => {
    await expect(AudioCache.open({ dir, maxBytes: 0, logger })).rejects.toThrow(RangeError);
  });
});
