import { diagnosisSection } from '../messages.js';

/** Where /diagnose was asked: the server, the text channel, and the asking member's voice channel (if any). */
export interface DiagnosisContext {
  guildId: string;
  channelId: string;
  memberVoiceChannelId: string | null;
}

/** One part of /diagnose, provided by the service that knows the facts. */
export interface DiagnosticSection {
  title: string;
  /** The section's lines as moderators read them; nothing secret (no keys, no message text). */
  lines(ctx: DiagnosisContext): string[] | Promise<string[]>;
}

/** The /diagnose text: every section in order; a section that fails says so instead of failing the whole answer. */
export async function renderDiagnosis(sections: readonly DiagnosticSection[], ctx: DiagnosisContext): Promise<string> {
  const parts = await Promise.all(
    sections.map(async (section) => {
      try {
        return diagnosisSection(section.title, await section.lines(ctx));
      } catch (err) {
        return diagnosisSection(section.title, [`(could not be gathered: ${(err as Error).message})`]);
      }
    }),
  );
  return parts.join('\n\n');
}
