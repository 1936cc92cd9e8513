import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { SOURCE_LOCALE, type Catalog } from './catalog.js';

function placeholders(elements: MessageFormatElement[], into: Set<string>): Set<string> {
  for (const e of elements) {
    if (e.type === TYPE.argument || e.type === TYPE.number || e.type === TYPE.date || e.type === TYPE.time) into.add(e.value);
    if (e.type === TYPE.plural || e.type === TYPE.select) {
      into.add(e.value);
      for (const option of Object.values(e.options)) placeholders(option.value, into);
    }
    if (e.type === TYPE.tag) placeholders(e.children, into);
  }
  return into;
}

/** The placeholder names an ICU message uses (plural and select arguments included); throws on a syntax error. */
export function placeholdersOf(message: string): string[] {
  return [...placeholders(parse(message, { ignoreTag: true }), new Set())].sort();
}

/** Everything wrong with the catalogs: keys missing or extra against the source, placeholders that differ, syntax errors. */
export function catalogProblems(catalogs: readonly Catalog[]): string[] {
  const source = catalogs.find((c) => c.code === SOURCE_LOCALE);
  if (!source) return [`no ${SOURCE_LOCALE} catalog`];
  const problems: string[] = [];
  const expected = new Map<string, string[]>();
  for (const [key, message] of source.messages) {
    try {
      expected.set(key, placeholdersOf(message));
    } catch (err) {
      problems.push(`${source.code}: ${key}: ${(err as Error).message}`);
    }
  }
  for (const c of catalogs) {
    if (c === source) continue;
    for (const key of source.messages.keys()) if (!c.messages.has(key)) problems.push(`${c.code}: missing ${key}`);
    for (const [key, message] of c.messages) {
      const want = expected.get(key);
      if (!source.messages.has(key)) {
        problems.push(`${c.code}: ${key} is not in ${source.code}`);
        continue;
      }
      try {
        const got = placeholdersOf(message);
        if (want && got.join(',') !== want.join(',')) problems.push(`${c.code}: ${key} uses {${got.join('}, {')}} but ${source.code} uses {${want.join('}, {')}}`);
      } catch (err) {
        problems.push(`${c.code}: ${key}: ${(err as Error).message}`);
      }
    }
  }
  return problems;
}
