import type { DiagnosisText, DiagnosticSection } from '../observability/diagnostics.js';
import type { SettingsStore } from '../settings/types.js';
import type { UsageMeter } from './usageMeter.js';

/**
 * The line about one daily budget (this server's or the whole bot's): a limit of 0 means none; resetAt in ms. `keys` is
 * the catalog section worded from (/diagnose's, or /usage's).
 */
export function budgetLine(
  t: DiagnosisText,
  scope: 'server' | 'bot',
  b: { limit: number; used: number; resetAt: number },
  keys: 'replies.diagnose.usage' | 'replies.usage' = 'replies.diagnose.usage',
): string {
  return b.limit === 0
    ? t(`${keys}.no_budget`, { scope, used: b.used })
    : t(`${keys}.budget`, { scope, left: Math.max(0, b.limit - b.used), limit: b.limit, resetAt: String(Math.ceil(b.resetAt / 1000)) });
}

/** The /diagnose section about spending in the asking server: budgets left (server and bot) and the member rate limit. */
export function usageSection(deps: { usage: Pick<UsageMeter, 'report'>; settings: Pick<SettingsStore, 'guild'> }): DiagnosticSection {
  return {
    titleKey: 'replies.diagnose.titles.usage',
    lines: ({ t, guildId }) => {
      const report = deps.usage.report(guildId);
      return [
        budgetLine(t, 'server', report.guildBudget),
        budgetLine(t, 'bot', report.botBudget),
        t('replies.diagnose.usage.rate_limit', { perMinute: deps.settings.guild(guildId).member_rate_per_min }),
      ];
    },
  };
}
