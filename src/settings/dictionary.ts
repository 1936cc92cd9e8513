import type { SyncDatabase, SyncStatement } from './syncDatabase.js';
import { inWriteTransaction, writeOrBusy } from './database.js';
import { BotError } from '../errors.js';

/** One pronunciation: a whole word (case-insensitive) and how to say it. */
export interface DictionaryEntry {
  word: string;
  reading: string;
}

/** Most entries a guild's dictionary may hold. */
export const DICTIONARY_LIMIT = 500;
/** Longest word and reading. */
export const DICTIONARY_TEXT_MAX = 100;

/** A guild's pronunciation dictionary; cached in memory. */
export interface DictionaryStore {
  /** Entries sorted by word. */
  entries(guildId: string): readonly DictionaryEntry[];
  /** Adds or replaces an entry; throws a BotError (dictionary.*) on a bad word or a full dictionary. */
  set(guildId: string, word: string, reading: string): { replaced: boolean };
  /** Removes an entry; true if it was there. */
  remove(guildId: string, word: string): boolean;
  /** Adds or replaces many entries at once (all or nothing); returns how many were written. */
  import(guildId: string, entries: readonly DictionaryEntry[], replaceAll: boolean): number;
  /** Bumps when the guild's dictionary changes, so compiled matchers can be rebuilt. */
  version(guildId: string): number;
}

/** Checks a dictionary entry and returns it trimmed. */
export function validateEntry(word: string, reading: string): DictionaryEntry {
  const w = word.trim();
  const r = reading.trim();
  const bad = /[\p{Cc}\p{Cf}]/u;
  if (w.length === 0 || w.length > DICTIONARY_TEXT_MAX || bad.test(w)) {
    throw new BotError('dictionary.bad_word', { max: DICTIONARY_TEXT_MAX });
  }
  if (r.length > DICTIONARY_TEXT_MAX || bad.test(r)) {
    throw new BotError('dictionary.bad_reading', { max: DICTIONARY_TEXT_MAX });
  }
  return { word: w, reading: r };
}

/** The dictionary table, on either dialect's SyncDatabase. */
export class DictionaryTable implements DictionaryStore {
  readonly #cache = new Map<string, readonly DictionaryEntry[]>();
  readonly #versions = new Map<string, number>();
  // Added to every guild's version when all caches are dropped, so every compiled matcher is rebuilt.
  #epoch = 0;
  readonly #sql: Record<'list' | 'upsert' | 'remove' | 'clear' | 'exists' | 'count', SyncStatement>;

  /** `changed`: told after each committed change of a guild's dictionary. */
  constructor(
    private readonly db: SyncDatabase,
    private readonly count: () => void,
    private readonly changed: (guildId: string) => void = () => {},
  ) {
    this.#sql = {
      list: db.prepare('SELECT word, reading FROM dictionary WHERE guild_id = ? ORDER BY word_key'),
      upsert: db.prepare(
        'INSERT INTO dictionary (guild_id, word_key, word, reading, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, word_key) DO UPDATE SET word = excluded.word, reading = excluded.reading, updated_at = excluded.updated_at',
      ),
      remove: db.prepare('DELETE FROM dictionary WHERE guild_id = ? AND word_key = ?'),
      clear: db.prepare('DELETE FROM dictionary WHERE guild_id = ?'),
      exists: db.prepare('SELECT 1 AS yes FROM dictionary WHERE guild_id = ? AND word_key = ?'),
      count: db.prepare('SELECT count(*) AS n FROM dictionary WHERE guild_id = ?'),
    };
  }

  entries(guildId: string): readonly DictionaryEntry[] {
    const cached = this.#cache.get(guildId);
    if (cached) return cached;
    this.count();
    const list = Object.freeze(this.#sql.list.all(guildId) as unknown as DictionaryEntry[]);
    this.#cache.set(guildId, list);
    return list;
  }

  set(guildId: string, word: string, reading: string): { replaced: boolean } {
    const entry = validateEntry(word, reading);
    const key = entry.word.toLowerCase();
    this.count();
    const replaced = this.#sql.exists.get(guildId, key) !== undefined;
    if (!replaced && this.entries(guildId).length >= DICTIONARY_LIMIT) {
      throw new BotError('dictionary.full', { limit: DICTIONARY_LIMIT });
    }
    this.count();
    writeOrBusy(() => this.#sql.upsert.run(guildId, key, entry.word, entry.reading, Date.now()));
    this.#changed(guildId);
    return { replaced };
  }

  remove(guildId: string, word: string): boolean {
    this.count();
    const removed = Number(writeOrBusy(() => this.#sql.remove.run(guildId, word.trim().toLowerCase())).changes) > 0;
    this.#changed(guildId);
    return removed;
  }

  import(guildId: string, entries: readonly DictionaryEntry[], replaceAll: boolean): number {
    const valid = entries.map((e) => validateEntry(e.word, e.reading));
    const keys = new Set([...(replaceAll ? [] : this.entries(guildId).map((e) => e.word.toLowerCase())), ...valid.map((e) => e.word.toLowerCase())]);
    if (keys.size > DICTIONARY_LIMIT) {
      throw new BotError('dictionary.import_too_many', { count: keys.size, limit: DICTIONARY_LIMIT });
    }
    const now = Date.now();
    inWriteTransaction(this.db, () => {
      if (replaceAll) this.#sql.clear.run(guildId);
      for (const e of valid) this.#sql.upsert.run(guildId, e.word.toLowerCase(), e.word, e.reading, now);
    });
    this.count();
    this.#changed(guildId);
    return valid.length;
  }

  version(guildId: string): number {
    return (this.#versions.get(guildId) ?? 0) + this.#epoch;
  }

  /** Drops a guild's cached entries (changed by another process). */
  forget(guildId: string): void {
    this.#cache.delete(guildId);
    this.#versions.set(guildId, (this.#versions.get(guildId) ?? 0) + 1);
  }

  /** Drops every cached dictionary. */
  forgetAll(): void {
    this.#cache.clear();
    this.#epoch++;
  }

  #changed(guildId: string): void {
    this.forget(guildId);
    this.changed(guildId);
  }
}
