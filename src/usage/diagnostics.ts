import { DIAGNOSIS_TITLES, diagnosisLines } from '../messages.js';
import type { DiagnosticSection } from '../observability/diagnostics.js';
import type { SettingsStore } from '../settings/types.js';
import type { UsageMeter } from './usageMeter.js';

/** The /diagnose section about spending in the asking server: budgets left (server and bot) and the member rate limit. */
export function usageSection(deps: { usage: Pick<UsageMeter, 'report'>; settings: Pick<SettingsStore, 'guild'> }): DiagnosticSection {
  return {
    title: DIAGNOSIS_TITLES.usage,
    lines: (ctx) => {
      const report = deps.usage.report(ctx.guildId);
      return [
        diagnosisLines.budget('server', report.guildBudget),
        diagnosisLines.budget('bot', report.botBudget),
        diagnosisLines.rateLimit(deps.settings.guild(ctx.guildId).member_rate_per_min),
      ];
    },
  };
}
