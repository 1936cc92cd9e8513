import { diagnosisSection } from '../messages.js';

/** One part of /diagnose, provided by the service that knows the facts (providers today; more sections later). */
export interface DiagnosticSection {
  title: string;
  /** The section's lines as moderators read them; nothing secret (no keys, no message text). */
  lines(): string[] | Promise<string[]>;
}

/** The /diagnose text: every section in order; a section that fails says so instead of failing the whole answer. */
export async function renderDiagnosis(sections: readonly DiagnosticSection[]): Promise<string> {
  const parts = await Promise.all(
    sections.map(async (section) => {
      try {
        return diagnosisSection(section.title, await section.lines());
      } catch (err) {
        return diagnosisSection(section.title, [`(could not be gathered: ${(err as Error).message})`]);
      }
    }),
  );
  return parts.join('\n\n');
}
