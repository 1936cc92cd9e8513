import { BotError } from '../../errors.js';
import type { DictionaryEntry } from '../../settings/dictionary.js';

/** Largest dictionary file accepted by /dictionary import. */
export const DICTIONARY_FILE_MAX_BYTES = 256 * 1024;

/** The export format: a JSON array of { word, reading }, the same format import reads. */
export function dictionaryToJson(entries: readonly DictionaryEntry[]): string {
  return `${JSON.stringify(entries.map((e) => ({ word: e.word, reading: e.reading })), null, 2)}\n`;
}

/**
 * Reads a dictionary file: a JSON array of { word, reading }, a JSON object { word: reading },
 * or text lines `word = reading` / `word,reading` (lines starting with # are comments).
 */
export function parseDictionaryFile(text: string): DictionaryEntry[] {
  // What is wrong, as data: the reply words it in the member's language (replies.errors.dictionary.bad_file).
  const bad = (problem: 'json' | 'entry' | 'reading' | 'line', at: number | string = ''): never => {
    throw new BotError('dictionary.bad_file', { problem, at });
  };
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch {
      return bad('json');
    }
    if (Array.isArray(data)) {
      return data.map((item, i) => {
        const e = item as { word?: unknown; reading?: unknown };
        if (typeof e?.word !== 'string' || typeof e.reading !== 'string') bad('entry', i + 1);
        return { word: e.word as string, reading: e.reading as string };
      });
    }
    return Object.entries(data as Record<string, unknown>).map(([word, reading]) => {
      if (typeof reading !== 'string') bad('reading', word.slice(0, 40));
      return { word, reading: reading as string };
    });
  }
  const entries: DictionaryEntry[] = [];
  trimmed.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const m = /^(.*?)\s*(?:=|,|\t)\s*(.*)$/.exec(line);
    if (!m || m[1]!.trim() === '') bad('line', i + 1);
    entries.push({ word: m![1]!.trim(), reading: m![2]!.trim() });
  });
  return entries;
}
