import type { ProviderSpec } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import type { ModelAvailability, ModelCatalogCheck, RetiringModel } from './modelAvailability.js';

/** Timers and time, injected (the bot's clock has this shape). */
export interface WatchClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Settings of {@link createModelWatch}. */
export interface ModelWatchOptions {
  providers: readonly ProviderSpec[];
  models: ModelAvailability;
  clock: WatchClock;
  logger: Logger;
  /** Warn about models shutting down within this many days; default 30. */
  warnDays?: number;
  /** Time between two checks; default one day. */
  intervalMs?: number;
  /** Time-out of one `GET /models`; default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Checks each provider's `GET /models` at start and once a day for configured models that are missing or retiring. */
export interface ModelWatch {
  /** Runs a first check now, then one every interval. */
  start(): void;
  stop(): void;
  /** Checks every provider once (tests; the timer calls it too). */
  checkAll(): Promise<void>;
}

const DAY_MS = 86_400_000;

interface ListedModel {
  id: string;
  shutdownDate: string | undefined;
}

/** Reads `{ data: [{ id, shutdown_date? }] }`; shutdown_date is `YYYY-MM-DD` or null (OpenAI's deprecations guide). */
function listedModels(body: unknown): ListedModel[] | undefined {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return undefined;
  return data.flatMap((m: unknown) => {
    const entry = m as { id?: unknown; shutdown_date?: unknown } | null;
    if (typeof entry?.id !== 'string') return [];
    const date = typeof entry.shutdown_date === 'string' && /^\d{4}-\d{2}-\d{2}/.test(entry.shutdown_date) ? entry.shutdown_date.slice(0, 10) : undefined;
    return [{ id: entry.id, shutdownDate: date }];
  });
}

/** Creates the watch; see {@link ModelWatch}. */
export function createModelWatch(options: ModelWatchOptions): ModelWatch {
  const log = options.logger.child({ module: 'models' });
  const doFetch = options.fetch ?? fetch;
  const warnDays = options.warnDays ?? 30;
  const intervalMs = options.intervalMs ?? DAY_MS;
  const timeoutMs = options.timeoutMs ?? 10_000;
  /** Warnings already logged (provider, model, kind): each is said once, not at every check. */
  const said = new Set<string>();
  const once = (key: string, fn: () => void) => {
    if (said.has(key)) return;
    said.add(key);
    fn();
  };
  let timer: unknown;
  let stopped = false;

  async function check(spec: ProviderSpec): Promise<ModelCatalogCheck> {
    const at = options.clock.now();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (spec.apiKey) headers.authorization = `Bearer ${spec.apiKey}`;
    let listed: ListedModel[] | undefined;
    let ms: number;
    try {
      const sent = performance.now();
      const res = await doFetch(`${spec.baseUrl}/models`, { headers, signal: AbortSignal.timeout(timeoutMs) });
      ms = Math.round(performance.now() - sent);
      if (res.status === 404) {
        await res.body?.cancel();
        return { at, outcome: 'no-endpoint', ms, missing: [], retiring: [] };
      }
      if (!res.ok) {
        await res.body?.cancel();
        const keyRefused = res.status === 401 || res.status === 403;
        return { at, outcome: 'failed', detail: keyRefused ? `HTTP ${res.status}: the configured key was refused` : `HTTP ${res.status}`, ms, missing: [], retiring: [] };
      }
      listed = listedModels(await res.json());
    } catch (err) {
      return { at, outcome: 'failed', detail: (err as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable', missing: [], retiring: [] };
    }
    if (!listed) return { at, outcome: 'failed', detail: 'not a model list', ms, missing: [], retiring: [] };
    const configured = spec.models ?? [];
    const byId = new Map(listed.map((m) => [m.id, m]));
    const missing = configured.filter((m) => !byId.has(m));
    const retiring: RetiringModel[] = [];
    for (const model of configured) {
      const date = byId.get(model)?.shutdownDate;
      if (!date) continue;
      const daysLeft = Math.ceil((Date.parse(`${date}T00:00:00Z`) - at) / DAY_MS);
      if (daysLeft <= warnDays) retiring.push({ model, shutdownDate: date, daysLeft });
    }
    return { at, outcome: 'ok', ms, missing, retiring };
  }

  function report(spec: ProviderSpec, result: ModelCatalogCheck): void {
    const provider = spec.name;
    if (result.outcome === 'no-endpoint') {
      once(`${provider}:no-endpoint`, () => log.info({ provider }, `${provider} has no GET /models; its models are checked only when a request is refused`));
      return;
    }
    if (result.outcome === 'failed') {
      log.warn({ provider, detail: result.detail }, `could not list the models of ${provider} (${result.detail}); will try again tomorrow`);
      return;
    }
    for (const model of result.missing) {
      once(`${provider}:${model}:missing`, () =>
        log.warn({ provider, model }, `speech model ${model} is configured for ${provider} but its GET /models does not list it`),
      );
    }
    for (const r of result.retiring) {
      if (r.daysLeft <= 0) {
        options.models.markUnavailable(provider, r.model, 'retired', `shut down on ${r.shutdownDate}`);
        continue;
      }
      once(`${provider}:${r.model}:retiring`, () =>
        log.warn(
          { provider, model: r.model, shutdownDate: r.shutdownDate, daysLeft: r.daysLeft },
          `speech model ${r.model} at ${provider} shuts down on ${r.shutdownDate} (in ${r.daysLeft} days): add another provider or model to TTS_PROVIDERS before then`,
        ),
      );
    }
  }

  /** Once every configured model of every provider is retiring or gone, the bot will go silent: say so loudly, once. */
  function warnIfAllRetiring(): void {
    const doomed = options.providers.every((spec) => {
      const last = options.models.lastCheck(spec.name);
      if (!last || last.outcome !== 'ok' || !spec.models) return false;
      const bad = new Set([...last.missing, ...last.retiring.map((r) => r.model)]);
      return spec.models.every((m) => bad.has(m));
    });
    if (!doomed) return;
    const dates = options.providers.flatMap((spec) => options.models.lastCheck(spec.name)?.retiring.map((r) => r.shutdownDate) ?? []).sort();
    once('all-retiring', () =>
      log.error(
        { firstShutdown: dates[0] },
        `every configured speech model is retiring or missing${dates[0] ? ` (first shutdown ${dates[0]})` : ''}: the bot goes silent then unless TTS_PROVIDERS lists another provider (see the README, "Preparing for 2027-01-06")`,
      ),
    );
  }

  async function checkAll(): Promise<void> {
    await Promise.all(
      options.providers
        .filter((spec) => spec.modelsEndpoint)
        .map(async (spec) => {
          const result = await check(spec);
          options.models.recordCheck(spec.name, result);
          report(spec, result);
        }),
    );
    warnIfAllRetiring();
  }

  const schedule = () => {
    if (stopped) return;
    timer = options.clock.setTimeout(() => {
      void checkAll().finally(schedule);
    }, intervalMs);
  };

  return {
    start() {
      stopped = false;
      void checkAll().finally(schedule);
    },
    stop() {
      stopped = true;
      if (timer !== undefined) options.clock.clearTimeout(timer);
    },
    checkAll,
  };
}
