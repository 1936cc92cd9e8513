import { describe, expect, it } from 'vitest';
import { loadCatalogs } from '../../src/i18n/catalog.js';
import { useWorld, type MemberName, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined; followups(): Array<{ content: string }> }) => h.message()?.content || h.followups()[0]?.content || '';

/** Every Discord locale the catalogs besides en-US serve (at least de, es-419, es-ES, fr, ja, ko, pt-BR, zh-CN). */
const LOCALES = loadCatalogs()
  .filter((c) => c.code !== 'en-US')
  .flatMap((c) => c.discordLocales)
  .sort();

type Entry = { name: string; name_localizations?: Record<string, string> | null; description_localizations?: Record<string, string> | null; options?: Entry[] };

describe('every member in their language (Japanese, German, a server in Portuguese)', () => {
  let w: World;
  useWorld({ env: { READING_ENABLED: 'false' }, guild: { locale: 'pt-BR' } }, (started) => {
    w = started;
  });

  /** Runs a command as a member whose Discord client is in `locale`; waits for the reply text. */
  async function run(member: MemberName, locale: string, command: string, options: Record<string, string | number | boolean> = {}, subcommand?: string) {
    const h = w.command(member, command, options, subcommand, locale);
    await h.waitFor((x) => content(x).length > 0, 15_000);
    return content(h);
  }

  it('deploy-commands registered names and descriptions in all eight languages, and Discord’s rules let them through', () => {
    expect(LOCALES).toEqual(expect.arrayContaining(['de', 'es-419', 'es-ES', 'fr', 'ja', 'ko', 'pt-BR', 'zh-CN']));
    const registered = w.discord.commands(w.guild.id) as unknown as Entry[];
    expect(registered.length).toBeGreaterThan(15);
    const walk = (entries: Entry[]) => {
      for (const e of entries) {
        expect(Object.keys(e.name_localizations ?? {}).sort(), e.name).toEqual(LOCALES);
        walk(e.options ?? []);
      }
    };
    walk(registered);
    const speak = registered.find((c) => c.name === 'speak')!;
    expect(speak.name_localizations).toMatchObject({ ja: 'しゃべる', de: 'sprechen', 'pt-BR': 'falar', 'es-419': 'hablar' });
    expect(speak.description_localizations?.ja).toBe('ボイスチャンネルでテキストを読み上げるか、音声ファイルとして受け取ります');
  });

  it('a Japanese member gets /speak’s error and /queue’s answer in Japanese, a German member in German', async () => {
    expect(await run('alice', 'ja', 'speak', { text: 'こんにちは', output: 'voice' })).toBe('先にボイスチャンネルに参加してください。');
    expect(await run('alice', 'ja', 'queue')).toBe('キューは空です。');
    expect(await run('bob', 'de', 'speak', { text: 'Hallo', output: 'voice' })).toBe('Tritt zuerst einem Sprachkanal bei.');
    expect(await run('dave', 'de', 'settings', { key: 'nosuch', value: '1' }, 'set')).toMatch(/^Es gibt keine Einstellung namens nosuch\. Die Einstellungen sind: voice, /);
    expect(await run('dave', 'ja', 'settings', { key: 'speed', value: 'fast' }, 'set')).toBe('speed は0.25〜4 の数（または「default」）にしてください。');
    expect(await run('bob', 'de', 'speak', { text: 'Hallo', voice: 'robot', output: 'file' })).toMatch(/^Unbekannte Stimme „robot“\. Wähle eine von: alloy, /);
  });

  it('a member whose language has no catalog reads the server’s: its preferred locale, then its `language` setting; the member’s own comes first', async () => {
    expect(await run('carol', 'it', 'speak', { text: 'ciao', output: 'voice' })).toBe('Entre em um canal de voz primeiro.');
    expect(await run('dave', 'en-US', 'settings', { key: 'language', value: 'de' }, 'set')).toMatch(/^✅ language is now \*\*de\*\*/);
    expect(await run('carol', 'it', 'speak', { text: 'ciao', output: 'voice' })).toBe('Tritt zuerst einem Sprachkanal bei.');
    expect(await run('carol', 'en-US', 'speak', { text: 'hi', output: 'voice' })).toBe('Join a voice channel first.');
    expect(await run('alice', 'ja', 'speak', { text: 'やあ', output: 'voice' })).toBe('先にボイスチャンネルに参加してください。');
  });
});
