import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open as openFile, readdir, rename, stat, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { AudioFormat } from '../config.js';
import type { Logger } from '../observability/logger.js';
import { FORMAT_FILE, type SpeechRequest } from './request.js';

/** Name of the cache directory inside DATA_DIR. */
export const AUDIO_CACHE_DIR = 'audio-cache';

/** Settings of the disk audio cache. */
export interface AudioCacheOptions {
  /** Directory holding the entries; created if missing. */
  dir: string;
  /** Total size the entries may take; least recently used ones are evicted beyond it. */
  maxBytes: number;
  logger: Logger;
}

/** Counters of the cache since it was opened (bytes and entries are current totals). */
export interface AudioCacheStats {
  hits: number;
  misses: number;
  bytes: number;
  entries: number;
}

/** Receives one body for the cache; nothing becomes visible before commit(). */
export interface AudioCacheWriter {
  /** Queues a chunk for the temp file; never throws (a failed write makes commit() a no-op). The chunk must not be modified afterwards. */
  write(chunk: Uint8Array): void;
  /** Moves the complete body into place; resolves false when it was not cached (too big, empty, aborted or a disk error). */
  commit(): Promise<boolean>;
  /** Drops the body and its temp file. */
  abort(): Promise<void>;
}

interface IndexEntry {
  /** Path relative to the cache directory. */
  file: string;
  size: number;
  /** Epoch ms of the last write or hit (the index's Map order is what ranks entries for eviction). */
  lastUsed: number;
}

const KEY_VERSION = 'v1';
const TEMP_PREFIX = '.tmp-';
const SHARD_DIR = /^[0-9a-f]{2}$/;
const ENTRY_FILE = /^([0-9a-f]{64})\.([a-z0-9]+)$/;

/**
 * The cache key of a request: sha256 hex over everything that changes the audio, including the provider that makes
 * it (the same request to another provider is another voice); `provider` undefined keys as before providers existed.
 */
export function audioCacheKey(request: SpeechRequest, provider?: string): string {
  // An array, not an object: its order is fixed, so equal requests give equal JSON.
  const canonical = JSON.stringify([
    KEY_VERSION,
    ...(provider === undefined ? [] : [`provider:${provider}`]),
    request.model,
    request.voice,
    request.speed,
    request.response_format,
    request.instructions ?? '',
    request.input,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Content-addressed audio files under one directory (`ab/abcdef….ext`), with an in-memory LRU index.
 * Assumes one process per directory: a second one would not see this one's index and open() would delete its temp files.
 */
export class AudioCache {
  readonly #dir: string;
  readonly #maxBytes: number;
  readonly #entryLimit: number;
  readonly #log: Logger;
  /** Insertion order is recency order: the first entry is the least recently used. */
  readonly #index = new Map<string, IndexEntry>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  /** Renames and unlinks run one at a time so that eviction and installs never interleave on the same file. */
  #mutations: Promise<void> = Promise.resolve();
  /** True after a write failed (a full disk, say) until one succeeds again: the failure is logged once, not per item. */
  #writesFailing = false;

  private constructor(options: AudioCacheOptions) {
    this.#dir = options.dir;
    this.#maxBytes = options.maxBytes;
    this.#entryLimit = Math.floor(options.maxBytes / 4);
    this.#log = options.logger.child({ module: 'audio-cache' });
  }

  /** Opens (creating) the cache directory, removes temp files left by a crash and rebuilds the index from the files. */
  static async open(options: AudioCacheOptions): Promise<AudioCache> {
    if (!Number.isFinite(options.maxBytes) || options.maxBytes <= 0) throw new RangeError('audio cache maxBytes must be a positive number');
    const cache = new AudioCache(options);
    await mkdir(options.dir, { recursive: true });
    await cache.#rebuild();
    return cache;
  }

  /** The cache key of a request as sent to `provider` (see audioCacheKey). */
  keyOf(request: SpeechRequest, provider?: string): string {
    return audioCacheKey(request, provider);
  }

  /** A stream of the cached body, or undefined on a miss; a hit makes the entry the most recently used. */
  async open(key: string): Promise<Readable | undefined> {
    const entry = this.#index.get(key);
    if (!entry) {
      this.#misses++;
      return undefined;
    }
    const path = join(this.#dir, entry.file);
    let handle: FileHandle;
    try {
      handle = await openFile(path, 'r');
    } catch (err) {
      // Evicted in the meantime, or removed behind our back: either way a miss, never a failure.
      if (this.#index.get(key) === entry) this.#forget(key);
      if (!isNotFound(err)) this.#log.warn({ err, key: key.slice(0, 12) }, 'audio cache entry unreadable, dropped');
      this.#misses++;
      return undefined;
    }
    // With the descriptor open, a later eviction cannot hurt this reader: on POSIX an unlinked file stays readable.
    if (this.#index.get(key) === entry) {
      const now = Date.now();
      this.#index.delete(key);
      this.#index.set(key, { ...entry, lastUsed: now });
      // The mtime carries recency over a restart; losing it only blurs the LRU order.
      utimes(path, now / 1000, now / 1000).catch(() => undefined);
    }
    this.#hits++;
    return handle.createReadStream({ highWaterMark: 64 * 1024 });
  }

  /** A writer for one body under `key`, stored with the file extension of `format`. */
  writer(key: string, format: AudioFormat): AudioCacheWriter {
    const file = join(key.slice(0, 2), `${key}.${FORMAT_FILE[format].ext}`);
    const tempPath = join(this.#dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    return new TempFileWriter(tempPath, this.#entryLimit, {
      install: async (size) => {
        await this.#install(key, file, tempPath, size);
        if (this.#writesFailing) {
          this.#writesFailing = false;
          this.#log.info('audio cache writes work again');
        }
      },
      failed: (err) => this.#writeFailed(err),
    });
  }

  /** A body could not be written: speech goes on uncached. Logged at warn once per run of failures, then at debug. */
  #writeFailed(err: unknown): void {
    const code = (err as NodeJS.ErrnoException | undefined)?.code ?? (err as Error | undefined)?.message ?? String(err);
    if (this.#writesFailing) {
      this.#log.debug({ code }, 'audio cache write failed again, entry not cached');
      return;
    }
    this.#writesFailing = true;
    this.#log.warn(
      { code, dir: this.#dir },
      code === 'ENOSPC'
        ? 'audio cache: the disk is full; speech goes on without caching (logged once until a write succeeds)'
        : 'audio cache write failed; speech goes on without caching (logged once until a write succeeds)',
    );
  }

  /** Waits for index changes under way (installs, evictions) to finish; the cache is then safe to leave. */
  async close(): Promise<void> {
    await this.#mutations;
  }

  /** Hit and miss counts of open(), and the current size of the cache. */
  stats(): AudioCacheStats {
    return { hits: this.#hits, misses: this.#misses, bytes: this.#bytes, entries: this.#index.size };
  }

  #serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#mutations.then(task);
    this.#mutations = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  #forget(key: string): IndexEntry | undefined {
    const entry = this.#index.get(key);
    if (entry) {
      this.#index.delete(key);
      this.#bytes -= entry.size;
    }
    return entry;
  }

  async #install(key: string, file: string, tempPath: string, size: number): Promise<void> {
    await this.#serially(async () => {
      await mkdir(join(this.#dir, key.slice(0, 2)), { recursive: true });
      // Atomic replace: a reader holding the previous file keeps reading it; two writers of one key: the last rename wins.
      await rename(tempPath, join(this.#dir, file));
      const previous = this.#forget(key);
      if (previous && previous.file !== file) await this.#unlink(previous.file);
      this.#index.set(key, { file, size, lastUsed: Date.now() });
      this.#bytes += size;
      await this.#evict();
    });
  }

  /** Drops least recently used entries until the total fits; runs inside #serially. */
  async #evict(): Promise<void> {
    let evicted = 0;
    for (const [key, entry] of this.#index) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#forget(key);
      evicted++;
      await this.#unlink(entry.file);
    }
    if (evicted > 0) this.#log.debug({ evicted, bytes: this.#bytes }, 'audio cache evicted');
  }

  async #unlink(file: string): Promise<void> {
    try {
      await unlink(join(this.#dir, file));
    } catch (err) {
      // Windows refuses to unlink an open file; the orphan is picked up again at the next start.
      if (!isNotFound(err)) this.#log.warn({ err, file }, 'audio cache could not delete an evicted entry');
    }
  }

  async #rebuild(): Promise<void> {
    const found: Array<{ key: string; file: string; size: number; mtimeMs: number }> = [];
    let removedTemps = 0;
    for (const dirent of await readdir(this.#dir, { withFileTypes: true })) {
      if (dirent.name.startsWith(TEMP_PREFIX)) {
        await unlink(join(this.#dir, dirent.name)).catch(() => undefined);
        removedTemps++;
        continue;
      }
      if (!dirent.isDirectory() || !SHARD_DIR.test(dirent.name)) continue;
      for (const name of await readdir(join(this.#dir, dirent.name))) {
        const match = ENTRY_FILE.exec(name);
        const key = match?.[1];
        if (!key || !key.startsWith(dirent.name)) continue;
        const file = join(dirent.name, name);
        try {
          const info = await stat(join(this.#dir, file));
          if (info.isFile()) found.push({ key, file, size: info.size, mtimeMs: info.mtimeMs });
        } catch {
          // Vanished between readdir and stat: nothing to index.
        }
      }
    }
    found.sort((a, b) => a.mtimeMs - b.mtimeMs);
    for (const { key, file, size, mtimeMs } of found) {
      this.#forget(key);
      this.#index.set(key, { file, size, lastUsed: mtimeMs });
      this.#bytes += size;
    }
    // The cap may have been lowered since the last run.
    await this.#serially(() => this.#evict());
    this.#log.info({ entries: this.#index.size, bytes: this.#bytes, removedTemps }, 'audio cache opened');
  }
}

type WriterState = 'open' | 'skipped' | 'committing' | 'done';

/** Streams one body into a temp file; the cache installs it on commit. */
class TempFileWriter implements AudioCacheWriter {
  #state: WriterState = 'open';
  #size = 0;
  #handle: FileHandle | undefined;
  #error: unknown;
  /** Opening and every write run in order on this chain; failures land in #error. */
  #chain: Promise<void>;

  readonly #tempPath: string;
  readonly #limit: number;
  readonly #install: (size: number) => Promise<void>;
  readonly #failed: (err: unknown) => void;

  constructor(tempPath: string, limit: number, hooks: { install: (size: number) => Promise<void>; failed: (err: unknown) => void }) {
    this.#tempPath = tempPath;
    this.#limit = limit;
    this.#install = hooks.install;
    this.#failed = hooks.failed;
    this.#chain = openFile(tempPath, 'wx').then(
      (handle) => {
        this.#handle = handle;
      },
      (err: unknown) => {
        this.#error = err;
      },
    );
  }

  write(chunk: Uint8Array): void {
    if (this.#state !== 'open' || chunk.byteLength === 0) return;
    this.#size += chunk.byteLength;
    if (this.#size > this.#limit) {
      // Too big to be worth a slot: stop writing now, the temp file goes at commit or abort.
      this.#state = 'skipped';
      return;
    }
    this.#chain = this.#chain.then(async () => {
      if (this.#error !== undefined || !this.#handle) return;
      try {
        for (let offset = 0; offset < chunk.byteLength; ) {
          const { bytesWritten } = await this.#handle.write(chunk, offset, chunk.byteLength - offset);
          offset += bytesWritten;
        }
      } catch (err) {
        this.#error = err;
      }
    });
  }

  async commit(): Promise<boolean> {
    if (this.#state !== 'open') {
      if (this.#state === 'skipped') await this.#discard();
      return false;
    }
    this.#state = 'committing';
    await this.#chain;
    if (this.#error === undefined && this.#size > 0 && this.#handle) {
      try {
        // Without the sync a crash could leave a renamed but truncated file, which would be served as a hit forever.
        await this.#handle.sync();
        await this.#handle.close();
        this.#handle = undefined;
        await this.#install(this.#size);
        this.#state = 'done';
        return true;
      } catch (err) {
        this.#error = err;
      }
    }
    if (this.#error !== undefined) this.#failed(this.#error);
    await this.#discard();
    return false;
  }

  async abort(): Promise<void> {
    if (this.#state === 'done' || this.#state === 'committing') return;
    this.#state = 'done';
    await this.#discard();
  }

  async #discard(): Promise<void> {
    this.#state = 'done';
    await this.#chain;
    await this.#handle?.close().catch(() => undefined);
    this.#handle = undefined;
    await unlink(this.#tempPath).catch(() => undefined);
  }
}
