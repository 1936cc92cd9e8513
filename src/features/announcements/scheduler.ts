import type { Logger } from '../../observability/logger.js';
import type { ScheduledAnnouncement, ScheduledAnnouncementStore } from '../../settings/scheduledAnnouncements.js';
import type { Clock } from '../../voice/ports.js';
import { dueRuns, nextRun } from './schedule.js';

/** Settings of the scheduler. */
export interface SchedulerOptions {
  store: ScheduledAnnouncementStore;
  /** The guild's time zone now (a setting, so it can change between ticks). */
  timeZoneOf(guildId: string): string;
  clock: Clock;
  /** Whether this process owns the guild's schedules (sharded: the process of the guild's shard); default: all. */
  owns?(guildId: string): boolean;
  /** Called once per run that is due; errors are logged, never thrown at the timer. */
  onDue(schedule: ScheduledAnnouncement): void;
  logger: Logger;
  /** How often due runs are looked for, in ms (default 1000). */
  tickMs?: number;
  /** A run found later than this after its time is counted as missed, not fired (default 60 s). */
  graceMs?: number;
}

interface Tracked {
  schedule: ScheduledAnnouncement;
  timeZone: string;
  nextAt: number | null;
}

type SchedulerState = { status: 'stopped' } | { status: 'running'; timer: unknown };

/**
 * Fires scheduled announcements at their time in the guild's time zone. A run missed while the bot was down
 * (or found more than the grace period late) is logged and skipped, never fired late in a burst; every
 * handled run is recorded in the store, so a restart neither repeats nor loses one.
 */
export class AnnouncementScheduler {
  private readonly tracked = new Map<number, Tracked>();
  private state: SchedulerState = { status: 'stopped' };
  private readonly log: Logger;
  private readonly tickMs: number;
  private readonly graceMs: number;

  constructor(private readonly options: SchedulerOptions) {
    this.log = options.logger.child({ module: 'scheduler' });
    this.tickMs = options.tickMs ?? 1000;
    this.graceMs = options.graceMs ?? 60_000;
  }

  /** Loads every stored schedule and starts looking for due runs (a first look happens at once). */
  start(): void {
    if (this.state.status === 'running') return;
    const owns = this.options.owns ?? (() => true);
    for (const schedule of this.options.store.all()) if (owns(schedule.guildId)) this.track(schedule);
    this.log.info({ schedules: this.tracked.size }, 'scheduled announcements loaded');
    this.state = { status: 'running', timer: undefined };
    this.tick();
  }

  /** Stops the timer (shutdown). */
  stop(): void {
    if (this.state.status === 'running' && this.state.timer !== undefined) this.options.clock.clearTimeout(this.state.timer);
    this.state = { status: 'stopped' };
  }

  /** Starts tracking a schedule just stored. */
  track(schedule: ScheduledAnnouncement): void {
    const timeZone = this.options.timeZoneOf(schedule.guildId);
    this.tracked.set(schedule.id, { schedule, timeZone, nextAt: this.nextAfter(schedule, timeZone, schedule.checkedUntil) });
  }

  /** Stops tracking a schedule (cancelled). */
  untrack(id: number): void {
    this.tracked.delete(id);
  }

  /** When a schedule runs next, or null. */
  nextRunOf(id: number): Date | null {
    const t = this.tracked.get(id);
    return t?.nextAt == null ? null : new Date(t.nextAt);
  }

  /** Looks for due runs now; called by the timer, and by tests that move the clock. */
  tick(): void {
    const now = this.options.clock.now();
    for (const t of [...this.tracked.values()]) {
      try {
        this.check(t, now);
      } catch (err) {
        this.log.error({ id: t.schedule.id, guildId: t.schedule.guildId, err: (err as Error).message }, 'scheduled announcement check failed');
      }
    }
    if (this.state.status === 'running') {
      this.state = { status: 'running', timer: this.options.clock.setTimeout(() => this.tick(), this.tickMs) };
    }
  }

  private check(t: Tracked, now: number): void {
    const { schedule } = t;
    const timeZone = this.options.timeZoneOf(schedule.guildId);
    if (timeZone !== t.timeZone) {
      t.timeZone = timeZone;
      t.nextAt = this.nextAfter(schedule, timeZone, schedule.checkedUntil);
    }
    if (t.nextAt === null || t.nextAt > now) return;
    const runs = dueRuns(schedule.spec, timeZone, new Date(schedule.checkedUntil), new Date(now), this.graceMs);
    if (runs.missed > 0) {
      this.log.warn({ id: schedule.id, guildId: schedule.guildId, missed: runs.missed }, 'scheduled announcement missed (the bot was down or busy); skipped');
    }
    this.options.store.checked(schedule.id, now);
    schedule.checkedUntil = now;
    t.nextAt = runs.next?.getTime() ?? null;
    if (runs.fire) {
      this.log.info({ id: schedule.id, guildId: schedule.guildId }, 'scheduled announcement due');
      try {
        this.options.onDue(schedule);
      } catch (err) {
        this.log.error({ id: schedule.id, err: (err as Error).message }, 'scheduled announcement failed');
      }
    }
    if (t.nextAt === null) {
      this.options.store.remove(schedule.guildId, schedule.id);
      this.tracked.delete(schedule.id);
      this.log.info({ id: schedule.id, guildId: schedule.guildId }, 'scheduled announcement finished (no further runs)');
    }
  }

  private nextAfter(schedule: ScheduledAnnouncement, timeZone: string, after: number): number | null {
    return nextRun(schedule.spec, timeZone, new Date(after))?.getTime() ?? null;
  }
}
