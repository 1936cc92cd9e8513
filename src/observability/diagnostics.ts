import type { MessageValues } from '../i18n/translator.js';

/** A catalog message (`replies.diagnose.…`) in the asking member's language. */
export type DiagnosisText = (key: string, values?: MessageValues) => string;

/** Where /diagnose was asked: the server, the text channel, the asking member's voice channel (if any), and their words. */
export interface DiagnosisContext {
  guildId: string;
  channelId: string;
  memberVoiceChannelId: string | null;
  /** The words of the report, in the member's language (the command's own `ctx.t`). */
  t: DiagnosisText;
}

/** One part of /diagnose, provided by the service that knows the facts. */
export interface DiagnosticSection {
  /** The catalog key of the section's title (`replies.diagnose.titles.…`). */
  titleKey: string;
  /** The section's lines as moderators read them; nothing secret (no keys, no message text). */
  lines(ctx: DiagnosisContext): string[] | Promise<string[]>;
}

/** One section: its underlined title, then its lines. */
const sectionText = (title: string, lines: string[]) => [`__${title}__`, ...lines].join('\n');

/** The /diagnose text: every section in order; a section that fails says so instead of failing the whole answer. */
export async function renderDiagnosis(sections: readonly DiagnosticSection[], ctx: DiagnosisContext): Promise<string> {
  const parts = await Promise.all(
    sections.map(async (section) => {
      const title = ctx.t(section.titleKey);
      try {
        return sectionText(title, await section.lines(ctx));
      } catch (err) {
        return sectionText(title, [ctx.t('replies.diagnose.failed', { error: (err as Error).message })]);
      }
    }),
  );
  return parts.join('\n\n');
}

/** Discord's relative time stamp for an epoch-ms instant, as the `<t:{at}:R>` placeholder wants it (seconds). */
export const stampOf = (ms: number): string => String(Math.floor(ms / 1000));
