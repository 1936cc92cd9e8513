import { describe, expect, it } from 'vitest';
import { commandDefinitions, commands } from '../../../commands/index.js';
import { loadCatalogs } from '../../../src/i18n/catalog.js';
import { commandTexts, localizeCommand } from '../../../src/i18n/commandLocalizations.js';
import { createTranslator } from '../../../src/i18n/translator.js';
import { validateBulk } from '../../standins/discord/commandValidation.js';

const catalogs = loadCatalogs();
const translator = createTranslator(catalogs);
const en = catalogs.find((c) => c.code === 'en-US')!;
/** Every Discord locale a catalog other than en-US serves. */
const otherLocales = catalogs.filter((c) => c !== en).flatMap((c) => c.discordLocales).sort();

type Node = { name: string; name_localizations?: Record<string, string>; description_localizations?: Record<string, string>; options?: Node[]; choices?: Node[]; value?: unknown; description?: string };

function everyNode(nodes: Node[], visit: (n: Node, kind: 'entry' | 'choice') => void): void {
  for (const n of nodes) {
    visit(n, 'entry');
    for (const c of n.choices ?? []) if (c.name !== String(c.value)) visit(c, 'choice');
    everyNode(n.options ?? [], visit);
  }
}

describe('localized command definitions', () => {
  it('the en-US commands section says exactly what the definitions say (no drift between code and catalog)', () => {
    const fromCode = new Map(commands.flatMap((c) => [...commandTexts(c.data)]));
    const fromCatalog = new Map([...en.messages].filter(([k]) => k.startsWith('commands.')));
    expect(Object.fromEntries(fromCatalog)).toEqual(Object.fromEntries(fromCode));
  });

  it('every command, option and choice has a name (and description) in every language, and Discord would accept them all', () => {
    // At least the eight shipped languages; a catalog added later joins without touching this test.
    expect(otherLocales).toEqual(expect.arrayContaining(['de', 'es-419', 'es-ES', 'fr', 'ja', 'ko', 'pt-BR', 'zh-CN']));
    const defs = commandDefinitions(translator) as unknown as Node[];
    let checked = 0;
    everyNode(defs, (n, kind) => {
      expect(Object.keys(n.name_localizations ?? {}).sort(), n.name).toEqual(otherLocales);
      if (kind === 'entry' && n.description) expect(Object.keys(n.description_localizations ?? {}).sort(), n.name).toEqual(otherLocales);
      checked++;
    });
    expect(checked).toBeGreaterThan(70);
    expect(validateBulk(defs).tree).toEqual({});
  });

  it('names are translated, not copied: most differ from English in each of ja, ko, zh-CN', () => {
    const defs = commandDefinitions(translator) as unknown as Node[];
    for (const locale of ['ja', 'ko', 'zh-CN']) {
      const names = defs.map((d) => d.name_localizations?.[locale]);
      expect(names.filter((n, i) => n !== defs[i]!.name).length, locale).toBeGreaterThan(defs.length - 3);
    }
  });

  it('a command the catalogs do not know yet is deployed unlocalized rather than failing the deploy', () => {
    const data = { name: 'nosuch', description: 'Not in any catalog', type: 1, options: [{ type: 3, name: 'x', description: 'd' }] } as const;
    const out = localizeCommand(translator, data as never) as unknown as Node;
    expect(out.name_localizations).toEqual({});
    expect(out.options?.[0]?.name_localizations).toEqual({});
  });
});
