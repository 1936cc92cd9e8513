import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One language's texts: its Discord locale codes, its own name, and ICU messages by dotted key. */
export interface Catalog {
  /** The file's name without `.json`: the Discord locale code it is chiefly for (`ja`, `pt-BR`, `en-US`). */
  code: string;
  /** The language's name in that language (`日本語`). */
  name: string;
  /** Every Discord locale this catalog serves (`es-ES` and `es-419` share Spanish). */
  discordLocales: string[];
  /** ICU message-format strings by dotted key (`replies.speech.auth`, `spoken.said`). */
  messages: ReadonlyMap<string, string>;
}

/** The folder holding one `<locale>.json` catalog per language. */
export const CATALOG_DIR = join(dirname(fileURLToPath(import.meta.url)), 'catalogs');

/** The locale of the catalog every other one is checked against, and falls back to. */
export const SOURCE_LOCALE = 'en-US';

function flatten(prefix: string, value: unknown, into: Map<string, string>, file: string): void {
  if (typeof value === 'string') {
    into.set(prefix, value);
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${file}: "${prefix}" must be a string or an object of strings`);
  }
  for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, into, file);
}

/** Parses one catalog file's JSON (`meta` + nested sections of messages). */
export function parseCatalog(code: string, json: string, file = `${code}.json`): Catalog {
  const data = JSON.parse(json) as { meta?: { name?: unknown; discordLocales?: unknown } } & Record<string, unknown>;
  const meta = data.meta;
  if (!meta || typeof meta.name !== 'string' || !Array.isArray(meta.discordLocales) || meta.discordLocales.some((l) => typeof l !== 'string')) {
    throw new Error(`${file}: needs "meta": { "name": "…", "discordLocales": ["…"] }`);
  }
  const messages = new Map<string, string>();
  for (const [section, value] of Object.entries(data)) if (section !== 'meta') flatten(section, value, messages, file);
  return { code, name: meta.name, discordLocales: meta.discordLocales as string[], messages };
}

/** Reads every `*.json` catalog in `dir`: adding a language is adding a file there. */
export function loadCatalogs(dir: string = CATALOG_DIR): Catalog[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseCatalog(basename(f, '.json'), readFileSync(join(dir, f), 'utf8'), f));
}

/** The codes of the catalogs in `dir` (file names only, nothing parsed): the values the `language` setting allows. */
export function catalogCodes(dir: string = CATALOG_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}
