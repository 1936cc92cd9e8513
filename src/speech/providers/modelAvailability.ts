import type { Logger } from '../../observability/logger.js';

/** Why a model is not used at a provider. */
export interface UnavailableModel {
  model: string;
  /** 'refused': the provider answered 404/400 for it; 'missing': not in its /models; 'retired': its shutdown_date has passed. */
  reason: 'refused' | 'missing' | 'retired';
  /** Epoch ms when the bot noticed. */
  since: number;
  /** The provider's own words, when it gave some (never a secret). */
  detail?: string;
}

/** A configured model whose provider announced a shutdown date. */
export interface RetiringModel {
  model: string;
  /** `YYYY-MM-DD`, as `GET /models` gives it. */
  shutdownDate: string;
  /** Whole days from now to the shutdown date (negative once it has passed). */
  daysLeft: number;
}

/** What the last `GET /models` of a provider said. */
export interface ModelCatalogCheck {
  /** Epoch ms of the check. */
  at: number;
  /** 'ok', or why there is no list ('no-endpoint' for a 404, else the error's short text). */
  outcome: 'ok' | 'no-endpoint' | 'failed';
  detail?: string;
  /** Milliseconds the endpoint took to answer (absent when it did not). */
  ms?: number;
  /** Configured models the list does not name. */
  missing: string[];
  /** Configured models with a shutdown date within the warning window (or past). */
  retiring: RetiringModel[];
}

/**
 * Which models each provider can still serve: models marked unavailable (refused, missing, retired) are skipped by
 * the provider chain; each is logged once, when it is first marked, not per request.
 */
export class ModelAvailability {
  readonly #unavailable = new Map<string, Map<string, UnavailableModel>>();
  readonly #checks = new Map<string, ModelCatalogCheck>();
  readonly #log: Logger;
  readonly #now: () => number;

  constructor(logger: Logger, now: () => number) {
    this.#log = logger.child({ module: 'models' });
    this.#now = now;
  }

  /** The models not to use at `provider`. */
  unavailable(provider: string): ReadonlySet<string> {
    return new Set(this.#unavailable.get(provider)?.keys() ?? []);
  }

  /** Every unavailable model of `provider`, with why and since when. */
  unavailableList(provider: string): UnavailableModel[] {
    return [...(this.#unavailable.get(provider)?.values() ?? [])];
  }

  /** Marks `model` unavailable at `provider`; logs a warning the first time only. Returns whether it was new. */
  markUnavailable(provider: string, model: string, reason: UnavailableModel['reason'], detail?: string): boolean {
    let models = this.#unavailable.get(provider);
    if (!models) this.#unavailable.set(provider, (models = new Map()));
    if (models.has(model)) return false;
    models.set(model, { model, reason, since: this.#now(), ...(detail ? { detail } : {}) });
    this.#log.warn({ provider, model, reason, detail }, `speech model ${model} is unavailable at ${provider} (${reason}); using its next model or provider`);
    return true;
  }

  /** Records a `GET /models` check. */
  recordCheck(provider: string, check: ModelCatalogCheck): void {
    this.#checks.set(provider, check);
  }

  /** The last check of `provider`, if any ran. */
  lastCheck(provider: string): ModelCatalogCheck | undefined {
    return this.#checks.get(provider);
  }
}
