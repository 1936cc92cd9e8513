import type { SyncDatabase, SyncStatement } from './syncDatabase.js';
import { inWriteTransaction } from './database.js';

/** One reservation of characters and the rows it is counted in, so a release takes it back from the same rows. */
export interface UsageCharge {
  /** The guild charged, or null for a call made for no guild (counted in the bot's day only). */
  guildId: string | null;
  /** The member charged (their monthly total), or null when no member asked (announcements). */
  memberId: string | null;
  model: string;
  chars: number;
  /** YYYY-MM-DD in the guild's time zone. */
  guildDay: string;
  /** YYYY-MM in the guild's time zone. */
  month: string;
  /** YYYY-MM-DD in UTC. */
  botDay: string;
}

/** The daily limits a reservation must stay within; 0 means no limit. */
export interface UsageLimits {
  guild: number;
  bot: number;
}

/** A reservation's result: counted, or refused by the budget it would exceed (with that budget's figures). */
export type ReserveResult = { ok: true } | { ok: false; budget: 'guild' | 'bot'; used: number; limit: number };

/** Characters of one model over a period: sent to the provider, and answered from the cache instead. */
export interface ModelUsage {
  model: string;
  chars: number;
  saved: number;
}

/** The stored speech usage counters: exact under concurrency (every change is one write transaction). */
export interface UsageCounterStore {
  /** Counts `charge` if neither daily budget would go over its limit, atomically across processes; else counts nothing. */
  reserve(charge: UsageCharge, limits: UsageLimits): ReserveResult;
  /** Takes a reservation back (the provider call it was for sent nothing). */
  release(charge: UsageCharge): void;
  /** Adds characters the cache answered for a guild on its day. */
  addSaved(guildId: string, day: string, model: string, chars: number): void;
  /** A guild's usage on one of its days, by model. */
  guildDay(guildId: string, day: string): ModelUsage[];
  /** A guild's usage in one of its months (YYYY-MM), by model. */
  guildMonth(guildId: string, month: string): ModelUsage[];
  /** Characters the whole bot sent on a UTC day. */
  botDay(day: string): number;
  /** The members who sent the most characters in a guild's month, most first. */
  topMembers(guildId: string, month: string, limit: number): Array<{ userId: string; chars: number }>;
  /** A member's monthly totals in every guild (for /privacy). */
  memberMonths(userId: string): Array<{ guildId: string; month: string; chars: number }>;
  /** Deletes a member's monthly totals everywhere (guild totals stay); returns how many rows went. */
  deleteMember(userId: string): number;
}

type Statements =
  | 'guildUsedToday'
  | 'botUsedToday'
  | 'addGuild'
  | 'addMember'
  | 'addBot'
  | 'addSaved'
  | 'guildDay'
  | 'guildMonth'
  | 'topMembers'
  | 'memberMonths'
  | 'deleteMember';

/** The usage counters (tables of migration 4), on either dialect's SyncDatabase. */
export class UsageCountersTable implements UsageCounterStore {
  readonly #db: SyncDatabase;
  readonly #sql: Record<Statements, SyncStatement>;

  constructor(db: SyncDatabase, private readonly count: () => void) {
    this.#db = db;
    const byModel = 'SELECT model, SUM(chars) AS chars, SUM(saved_chars) AS saved FROM usage_guild_daily';
    this.#sql = {
      guildUsedToday: db.prepare('SELECT COALESCE(SUM(chars), 0) AS used FROM usage_guild_daily WHERE guild_id = ? AND day = ?'),
      botUsedToday: db.prepare('SELECT COALESCE(SUM(chars), 0) AS used FROM usage_bot_daily WHERE day = ?'),
      addGuild: db.prepare(
        'INSERT INTO usage_guild_daily (guild_id, day, model, chars) VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, day, model) DO UPDATE SET chars = usage_guild_daily.chars + excluded.chars',
      ),
      addMember: db.prepare(
        'INSERT INTO usage_member_monthly (guild_id, month, user_id, chars) VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, month, user_id) DO UPDATE SET chars = usage_member_monthly.chars + excluded.chars',
      ),
      addBot: db.prepare('INSERT INTO usage_bot_daily (day, chars) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET chars = usage_bot_daily.chars + excluded.chars'),
      addSaved: db.prepare(
        'INSERT INTO usage_guild_daily (guild_id, day, model, saved_chars) VALUES (?, ?, ?, ?) ON CONFLICT (guild_id, day, model) DO UPDATE SET saved_chars = usage_guild_daily.saved_chars + excluded.saved_chars',
      ),
      guildDay: db.prepare(`${byModel} WHERE guild_id = ? AND day = ? GROUP BY model ORDER BY model`),
      guildMonth: db.prepare(`${byModel} WHERE guild_id = ? AND day >= ? AND day <= ? GROUP BY model ORDER BY model`),
      topMembers: db.prepare(
        'SELECT user_id, chars FROM usage_member_monthly WHERE guild_id = ? AND month = ? AND chars > 0 ORDER BY chars DESC, user_id LIMIT ?',
      ),
      memberMonths: db.prepare('SELECT guild_id, month, chars FROM usage_member_monthly WHERE user_id = ? ORDER BY guild_id, month'),
      deleteMember: db.prepare('DELETE FROM usage_member_monthly WHERE user_id = ?'),
    };
  }

  reserve(charge: UsageCharge, limits: UsageLimits): ReserveResult {
    // BEGIN IMMEDIATE takes the write lock before reading, so no other connection can count in between.
    return this.#transaction((): ReserveResult => {
      if (charge.guildId !== null && limits.guild > 0) {
        const used = this.#number(this.#sql.guildUsedToday, charge.guildId, charge.guildDay);
        if (used + charge.chars > limits.guild) return { ok: false, budget: 'guild', used, limit: limits.guild };
      }
      if (limits.bot > 0) {
        const used = this.#number(this.#sql.botUsedToday, charge.botDay);
        if (used + charge.chars > limits.bot) return { ok: false, budget: 'bot', used, limit: limits.bot };
      }
      this.#add(charge, charge.chars);
      return { ok: true };
    });
  }

  release(charge: UsageCharge): void {
    this.#transaction(() => this.#add(charge, -charge.chars));
  }

  addSaved(guildId: string, day: string, model: string, chars: number): void {
    this.count();
    this.#sql.addSaved.run(guildId, day, model, chars);
  }

  guildDay(guildId: string, day: string): ModelUsage[] {
    this.count();
    return (this.#sql.guildDay.all(guildId, day) as unknown as ModelUsage[]).map(modelRow);
  }

  guildMonth(guildId: string, month: string): ModelUsage[] {
    this.count();
    return (this.#sql.guildMonth.all(guildId, `${month}-01`, `${month}-31`) as unknown as ModelUsage[]).map(modelRow);
  }

  botDay(day: string): number {
    return this.#number(this.#sql.botUsedToday, day);
  }

  topMembers(guildId: string, month: string, limit: number): Array<{ userId: string; chars: number }> {
    this.count();
    return (this.#sql.topMembers.all(guildId, month, limit) as Array<{ user_id: string; chars: number }>).map((r) => ({ userId: r.user_id, chars: Number(r.chars) }));
  }

  memberMonths(userId: string): Array<{ guildId: string; month: string; chars: number }> {
    this.count();
    return (this.#sql.memberMonths.all(userId) as Array<{ guild_id: string; month: string; chars: number }>).map((r) => ({
      guildId: r.guild_id,
      month: r.month,
      chars: Number(r.chars),
    }));
  }

  deleteMember(userId: string): number {
    this.count();
    return Number(this.#sql.deleteMember.run(userId).changes);
  }

  #add(charge: UsageCharge, chars: number): void {
    if (charge.guildId !== null) {
      this.count();
      this.#sql.addGuild.run(charge.guildId, charge.guildDay, charge.model, chars);
      if (charge.memberId !== null) {
        this.count();
        this.#sql.addMember.run(charge.guildId, charge.month, charge.memberId, chars);
      }
    }
    this.count();
    this.#sql.addBot.run(charge.botDay, chars);
  }

  #number(statement: SyncStatement, ...params: string[]): number {
    this.count();
    return Number((statement.get(...params) as { used: number }).used);
  }

  #transaction<T>(work: () => T): T {
    return inWriteTransaction(this.#db, work);
  }
}

function modelRow(r: ModelUsage): ModelUsage {
  return { model: r.model, chars: Number(r.chars), saved: Number(r.saved) };
}
