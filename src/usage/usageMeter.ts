import { BotError, isBotError } from '../errors.js';
import type { Logger } from '../observability/logger.js';
import type { SettingsStore } from '../settings/types.js';
import type { ModelUsage, UsageCharge } from '../settings/usageCounters.js';
import type { Clock } from '../voice/ports.js';
import { audioCounterModel, charsForSeconds, secondsForChars, transcriptionModelOf } from './audioSeconds.js';
import { dayKey, monthOf, nextMidnight } from './periods.js';
import { MemberRateLimiter } from './rateLimiter.js';

/** Whether an error says a character budget (the server's or the bot's) is spent. */
export function isBudgetSpent(err: unknown): boolean {
  return isBotError(err) && (err.key === 'usage.budget_guild' || err.key === 'usage.budget_bot');
}

/** Who a provider call is for: the guild (its budget) and the member (their monthly total), when known. */
export interface Spender {
  guildId?: string | undefined;
  memberId?: string | undefined;
}

/** Characters counted before a provider call; released when the call sent nothing. */
export interface Reservation {
  /** Takes the characters back (idempotent). */
  release(): void;
}

/** One model's figures for /usage: characters sent today and this month, saved by the cache, estimated cost. */
export interface ModelFigures {
  model: string;
  todayChars: number;
  monthChars: number;
  todaySaved: number;
  monthSaved: number;
  /** Dollars for this month's characters at the configured price, or null when the model has no price. */
  monthCost: number | null;
  /** Dollars per million characters (per minute of audio for transcription), or null. */
  price: number | null;
  /** Set for transcription: the seconds of audio behind the characters counted (see audioSeconds.ts). */
  audio?: { model: string; todaySeconds: number; monthSeconds: number };
}

/** A daily budget's state: limit (0: none), characters used today and when it resets (ms). */
export interface BudgetFigures {
  limit: number;
  used: number;
  resetAt: number;
}

/** Everything /usage shows for a guild. */
export interface UsageReport {
  day: string;
  month: string;
  timeZone: string;
  models: ModelFigures[];
  guildBudget: BudgetFigures;
  botBudget: BudgetFigures;
  topMembers: Array<{ userId: string; chars: number }>;
}

/** Members are counted by their Discord id; internal requesters (announcements) are not members. */
const SNOWFLAKE = /^\d{17,20}$/;

/**
 * The one place that answers "may this member ask for speech now?" (rate limit) and "may these characters be sent?"
 * (budgets), and records what was sent and what the cache saved. Counters live in the settings store.
 */
export function createUsageMeter(deps: {
  settings: SettingsStore;
  /** Characters per UTC day for the whole bot; 0: no limit. */
  botDailyBudget: number;
  /** Dollars per million characters by model. */
  prices: Readonly<Record<string, number>>;
  /** Dollars per minute of audio by transcription model. */
  transcribePrices?: Readonly<Record<string, number>>;
  clock: Pick<Clock, 'now'>;
  logger: Logger;
}) {
  const log = deps.logger.child({ module: 'usage' });
  const limiter = new MemberRateLimiter(deps.clock);
  const counters = deps.settings.usage;

  const charge = (who: Spender, model: string, chars: number, now: number): UsageCharge => {
    const guildId = who.guildId ?? null;
    const timeZone = guildId ? deps.settings.guild(guildId).time_zone : 'UTC';
    const guildDay = dayKey(now, timeZone);
    return {
      guildId,
      memberId: guildId && who.memberId && SNOWFLAKE.test(who.memberId) ? who.memberId : null,
      model,
      chars,
      guildDay,
      month: monthOf(guildDay),
      botDay: dayKey(now, 'UTC'),
    };
  };

  const meter = {
    /** Takes one of the member's requests; throws BotError('usage.rate_limited') naming when to try again. */
    admit(guildId: string, userId: string): void {
      const perMinute = deps.settings.guild(guildId).member_rate_per_min;
      const admission = limiter.take(guildId, userId, perMinute);
      if (admission.ok) return;
      log.info({ guildId, perMinute }, 'member rate limit: request refused');
      throw new BotError('usage.rate_limited', { perMinute, retryAt: Math.ceil(admission.retryAt / 1000) });
    },

    /**
     * Counts `chars` of `model` for the guild, the member and the bot before a provider call, or throws
     * BotError('usage.budget_guild' | 'usage.budget_bot') when either day's budget would be exceeded.
     */
    reserve(who: Spender, model: string, chars: number): Reservation {
      const now = deps.clock.now();
      const c = charge(who, model, chars, now);
      const guildLimit = c.guildId ? deps.settings.guild(c.guildId).char_budget_daily : 0;
      const result = counters.reserve(c, { guild: guildLimit, bot: deps.botDailyBudget });
      if (!result.ok) {
        const timeZone = result.budget === 'guild' ? deps.settings.guild(c.guildId!).time_zone : 'UTC';
        const resetAt = Math.ceil(nextMidnight(now, timeZone) / 1000);
        log.info({ guildId: c.guildId, budget: result.budget, used: result.used, limit: result.limit, chars }, 'character budget spent: speech refused');
        throw new BotError(result.budget === 'guild' ? 'usage.budget_guild' : 'usage.budget_bot', {
          used: result.used,
          limit: result.limit,
          needed: chars,
          resetAt,
        });
      }
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            counters.release(c);
          } catch (err) {
            log.warn({ guildId: c.guildId, chars, err: isBotError(err) ? err.key : (err as Error).message }, 'could not give back reserved characters');
          }
        },
      };
    },

    /**
     * Counts `seconds` of audio sent to transcription `model` against the same budgets, as characters
     * (audioSeconds.ts); throws like {@link reserve}.
     */
    reserveAudio(who: Spender, model: string, seconds: number): Reservation {
      return meter.reserve(who, audioCounterModel(model), charsForSeconds(seconds));
    },

    /** Records characters the cache answered instead of the provider. */
    saved(who: Spender, model: string, chars: number): void {
      if (!who.guildId) return;
      const c = charge(who, model, chars, deps.clock.now());
      try {
        counters.addSaved(who.guildId, c.guildDay, model, chars);
      } catch (err) {
        // A figure for /usage only: the cached audio plays whether or not it is counted.
        log.warn({ guildId: who.guildId, err: isBotError(err) ? err.key : (err as Error).message }, 'could not record what the cache saved');
      }
    },

    /** The guild's figures for /usage. */
    report(guildId: string): UsageReport {
      const now = deps.clock.now();
      const settings = deps.settings.guild(guildId);
      const day = dayKey(now, settings.time_zone);
      const month = monthOf(day);
      const today = counters.guildDay(guildId, day);
      const thisMonth = counters.guildMonth(guildId, month);
      const models = [...new Set([...thisMonth.map((m) => m.model), ...today.map((m) => m.model)])].sort();
      const find = (list: ModelUsage[], model: string) => list.find((m) => m.model === model);
      return {
        day,
        month,
        timeZone: settings.time_zone,
        models: models.map((model) => {
          const monthChars = find(thisMonth, model)?.chars ?? 0;
          const transcription = transcriptionModelOf(model);
          if (transcription !== undefined) {
            const perMinute = deps.transcribePrices ?? {};
            const price = Object.hasOwn(perMinute, transcription) ? perMinute[transcription]! : null;
            const monthSeconds = secondsForChars(monthChars);
            return {
              model,
              todayChars: find(today, model)?.chars ?? 0,
              monthChars,
              todaySaved: 0,
              monthSaved: 0,
              monthCost: price === null ? null : (monthSeconds / 60) * price,
              price,
              audio: { model: transcription, todaySeconds: secondsForChars(find(today, model)?.chars ?? 0), monthSeconds },
            };
          }
          const price = Object.hasOwn(deps.prices, model) ? deps.prices[model]! : null;
          return {
            model,
            todayChars: find(today, model)?.chars ?? 0,
            monthChars,
            todaySaved: find(today, model)?.saved ?? 0,
            monthSaved: find(thisMonth, model)?.saved ?? 0,
            monthCost: price === null ? null : (monthChars * price) / 1_000_000,
            price,
          };
        }),
        guildBudget: {
          limit: settings.char_budget_daily,
          used: today.reduce((sum, m) => sum + m.chars, 0),
          resetAt: nextMidnight(now, settings.time_zone),
        },
        botBudget: { limit: deps.botDailyBudget, used: counters.botDay(dayKey(now, 'UTC')), resetAt: nextMidnight(now, 'UTC') },
        topMembers: counters.topMembers(guildId, month, 5),
      };
    },
  };
  return meter;
}

/** The usage meter's shape. */
export type UsageMeter = ReturnType<typeof createUsageMeter>;
