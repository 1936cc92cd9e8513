import { stampOf, type DiagnosisText, type DiagnosticSection } from '../../observability/diagnostics.js';
import type { SpeechProviders } from './index.js';

/** What /diagnose says about one speech provider (facts only; never a key). */
export interface ProviderDiagnosisFacts {
  name: string;
  host: string;
  /** 'healthy', failing (not yet open), open until a time, or half-open (one probe allowed). */
  state: { status: 'healthy' } | { status: 'failing'; since: number; failures: number } | { status: 'open'; since: number; until: number } | { status: 'probing'; since: number };
  models: string[] | undefined;
  retiring: Array<{ model: string; shutdownDate: string; daysLeft: number }>;
  missing: string[];
  unavailable: Array<{ model: string; reason: string; since: number }>;
  /** When GET /models was last asked, and what came of it. */
  lastCheck: { at: number; outcome: 'ok' | 'no-endpoint' | 'failed'; detail?: string | undefined; ms?: number | undefined } | undefined;
  counts: { requests: number; served: number; failovers: number; modelFallbacks: number };
}

/** The words for a provider's state: healthy, failing since, circuit open until, or trying again. */
function stateText(t: DiagnosisText, state: ProviderDiagnosisFacts['state']): string {
  switch (state.status) {
    case 'healthy':
      return t('replies.diagnose.providers.healthy');
    case 'failing':
      return t('replies.diagnose.providers.failing', { since: stampOf(state.since), failures: state.failures });
    case 'open':
      return t('replies.diagnose.providers.open', { since: stampOf(state.since), until: stampOf(state.until) });
    case 'probing':
      return t('replies.diagnose.providers.probing', { since: stampOf(state.since) });
  }
}

/** The /diagnose lines about one provider, in priority position `rank` (1-based). */
export function providerDiagnosis(t: DiagnosisText, rank: number, f: ProviderDiagnosisFacts): string[] {
  const lines = [t('replies.diagnose.providers.heading', { rank, name: f.name, host: f.host, state: stateText(t, f.state) })];
  const unavailable = new Set(f.unavailable.map((u) => u.model));
  if (f.models) {
    const usable = f.models.filter((m) => !unavailable.has(m));
    lines.push(usable.length > 0 ? t('replies.diagnose.providers.models', { models: usable.join(', ') }) : t('replies.diagnose.providers.models_none_left'));
  } else {
    lines.push(t('replies.diagnose.providers.models_any'));
  }
  for (const r of f.retiring) {
    lines.push(
      r.daysLeft > 0
        ? t('replies.diagnose.providers.retiring', { model: r.model, date: r.shutdownDate, days: r.daysLeft })
        : t('replies.diagnose.providers.retired', { model: r.model, date: r.shutdownDate }),
    );
  }
  if (f.missing.length > 0) lines.push(t('replies.diagnose.providers.not_listed', { models: f.missing.join(', ') }));
  for (const u of f.unavailable) lines.push(t('replies.diagnose.providers.unavailable', { model: u.model, reason: u.reason, since: stampOf(u.since) }));
  const check = f.lastCheck;
  if (check?.outcome === 'ok') {
    lines.push(
      check.ms === undefined
        ? t('replies.diagnose.providers.check_ok', { at: stampOf(check.at) })
        : t('replies.diagnose.providers.check_ok_timed', { ms: check.ms, at: stampOf(check.at) }),
    );
  }
  if (check?.outcome === 'failed') lines.push(t('replies.diagnose.providers.check_failed', { detail: check.detail ?? 'error', at: stampOf(check.at) }));
  if (check?.outcome === 'no-endpoint') lines.push(t('replies.diagnose.providers.no_model_list'));
  lines.push(
    t('replies.diagnose.providers.counts', { served: f.counts.served, requests: f.counts.requests, failovers: f.counts.failovers, fallbacks: f.counts.modelFallbacks }),
  );
  return lines;
}

/** The facts /diagnose shows about each provider (exported for tests). */
export function providerFacts(providers: SpeechProviders): ProviderDiagnosisFacts[] {
  const statuses = providers.chain.status();
  return providers.specs.map((spec, i) => {
    const status = statuses[i]!;
    const c = status.circuit;
    const state: ProviderDiagnosisFacts['state'] =
      c.status === 'open'
        ? { status: 'open', since: c.failingSince, until: c.until }
        : c.status === 'half-open'
          ? { status: 'probing', since: c.failingSince }
          : c.failingSince === undefined
            ? { status: 'healthy' }
            : { status: 'failing', since: c.failingSince, failures: c.failures };
    const check = providers.models.lastCheck(spec.name);
    let host = spec.baseUrl;
    try {
      host = new URL(spec.baseUrl).host;
    } catch {
      // shown as configured
    }
    return {
      name: spec.name,
      host,
      state,
      models: spec.models,
      retiring: check?.retiring ?? [],
      missing: check?.missing ?? [],
      unavailable: providers.models.unavailableList(spec.name),
      lastCheck: check ? { at: check.at, outcome: check.outcome, detail: check.detail, ms: check.ms } : undefined,
      counts: status.counts,
    };
  });
}

/**
 * The /diagnose section about the speech providers: state, models available, retiring and unavailable. Each provider
 * with a model list is asked for it now (a cheap GET /models with the configured key), so the answer and its latency
 * are current.
 */
export function providerSection(providers: SpeechProviders): DiagnosticSection {
  return {
    titleKey: 'replies.diagnose.titles.providers',
    async lines({ t }) {
      await providers.watch.checkAll();
      return providerFacts(providers).flatMap((facts, i) => providerDiagnosis(t, i + 1, facts));
    },
  };
}
