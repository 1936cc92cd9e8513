import { DIAGNOSIS_TITLES, providerDiagnosis, type ProviderDiagnosisFacts } from '../../messages.js';
import type { DiagnosticSection } from '../../observability/diagnostics.js';
import type { SpeechProviders } from './index.js';

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
    title: DIAGNOSIS_TITLES.providers,
    async lines() {
      await providers.watch.checkAll();
      return providerFacts(providers).flatMap((facts, i) => providerDiagnosis(i + 1, facts));
    },
  };
}
