import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnnouncementScheduler } from '../../../src/features/announcements/scheduler.js';
import type { ScheduleSpec } from '../../../src/features/announcements/schedule.js';
import type { ScheduledAnnouncement } from '../../../src/settings/scheduledAnnouncements.js';
import { openSqliteSettings } from '../../../src/settings/sqlite/sqliteStore.js';
import type { SettingsStore } from '../../../src/settings/types.js';
import { ManualClock } from '../core/playbackFakes.js';
import { TTS, capturingLogger, tempDataDir } from '../settings/fixtures.js';

const T = (iso: string) => Date.parse(iso);

describe('AnnouncementScheduler', () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let store: SettingsStore;
  let clock: ManualClock;
  let fired: Array<{ id: number; at: number }>;
  let log: ReturnType<typeof capturingLogger>;
  let timeZone: string;

  beforeEach(async () => {
    dir = await tempDataDir();
    log = capturingLogger();
    store = openSqliteSettings({ dataDir: dir.dir, tts: TTS, logger: log.logger });
    clock = new ManualClock();
    fired = [];
    timeZone = 'UTC';
  });
  afterEach(async () => {
    store.close();
    await dir.cleanup();
  });

  const scheduler = () =>
    new AnnouncementScheduler({
      store: store.schedules,
      timeZoneOf: () => timeZone,
      clock,
      onDue: (s: ScheduledAnnouncement) => fired.push({ id: s.id, at: clock.now() }),
      logger: log.logger,
      tickMs: 1000,
    });
  const add = (spec: ScheduleSpec, createdAt: number) =>
    store.schedules.add({ guildId: 'g', channelId: 'c', replyChannelId: 't', text: 'hi', voice: null, spec, createdBy: 'u', createdAt });

  it('sharded: loads and fires only the schedules of guilds its process owns', () => {
    clock.advanceTo(T('2026-11-25T08:58:00Z'));
    const spec: ScheduleSpec = { kind: 'once', at: '2026-11-25T09:00:00.000Z' };
    const mine = store.schedules.add({ guildId: 'mine', channelId: 'c', replyChannelId: 't', text: 'hi', voice: null, spec, createdBy: 'u', createdAt: clock.now() });
    store.schedules.add({ guildId: 'theirs', channelId: 'c', replyChannelId: 't', text: 'hi', voice: null, spec, createdBy: 'u', createdAt: clock.now() });
    const sch = new AnnouncementScheduler({
      store: store.schedules,
      timeZoneOf: () => timeZone,
      clock,
      owns: (guildId) => guildId === 'mine',
      onDue: (s: ScheduledAnnouncement) => fired.push({ id: s.id, at: clock.now() }),
      logger: log.logger,
      tickMs: 1000,
    });
    sch.start();
    clock.advanceTo(T('2026-11-25T09:00:05Z'));
    expect(fired.map((f) => f.id)).toEqual([mine.id]);
    // The other guild's schedule is left for its own process: still stored, not marked as run here.
    expect(store.schedules.list('theirs')).toHaveLength(1);
    sch.stop();
  });

  it('fires a once schedule at its time, exactly once, then forgets it', () => {
    clock.advanceTo(T('2026-11-25T08:58:00Z'));
    const s = add({ kind: 'once', at: '2026-11-25T09:00:00.000Z' }, clock.now());
    const sch = scheduler();
    sch.start();
    clock.advanceTo(T('2026-11-25T08:59:59Z'));
    expect(fired).toEqual([]);
    clock.advanceTo(T('2026-11-25T09:00:05Z'));
    expect(fired.map((f) => f.id)).toEqual([s.id]);
    expect(fired[0]!.at - T('2026-11-25T09:00:00Z')).toBeLessThanOrEqual(1000);
    clock.advanceTo(T('2026-11-25T12:00:00Z'));
    expect(fired).toHaveLength(1);
    expect(store.schedules.list('g')).toEqual([]);
    sch.stop();
  });

  it('fires a daily schedule every day and records each run, so a restart does not repeat it', () => {
    clock.advanceTo(T('2026-11-25T09:00:00Z'));
    const s = add({ kind: 'daily', time: '10:00' }, clock.now());
    let sch = scheduler();
    sch.start();
    clock.advanceTo(T('2026-11-25T10:00:30Z'));
    expect(fired).toHaveLength(1);
    sch.stop();
    // A restart 10 s later, within the grace period of the run already fired: no second fire.
    sch = scheduler();
    sch.start();
    clock.advanceTo(T('2026-11-25T10:00:40Z'));
    expect(fired).toHaveLength(1);
    clock.advanceTo(T('2026-11-26T10:00:01Z'));
    expect(fired.map((f) => f.id)).toEqual([s.id, s.id]);
    sch.stop();
  });

  it('skips runs missed while it was stopped, with a log line, and fires the next one on time', () => {
    clock.advanceTo(T('2026-11-25T09:00:00Z'));
    add({ kind: 'daily', time: '10:00' }, clock.now());
    let sch = scheduler();
    sch.start();
    sch.stop();
    clock.advanceTo(T('2026-11-28T10:05:00Z')); // down over four runs: the 25th to the 28th at 10:00
    sch = scheduler();
    sch.start();
    expect(fired).toEqual([]);
    const missed = log.lines.find((l) => l.msg === 'scheduled announcement missed (the bot was down or busy); skipped');
    expect(missed?.missed).toBe(4);
    clock.advanceTo(T('2026-11-29T10:00:00Z'));
    expect(fired).toHaveLength(1);
    sch.stop();
  });

  it('a restart within the grace period after a run still fires it once', () => {
    clock.advanceTo(T('2026-11-25T09:00:00Z'));
    add({ kind: 'daily', time: '10:00' }, clock.now());
    let sch = scheduler();
    sch.start();
    sch.stop();
    clock.advanceTo(T('2026-11-25T10:00:20Z'));
    sch = scheduler();
    sch.start();
    expect(fired).toHaveLength(1);
    sch.stop();
  });

  it('follows the guild’s time zone, also when it changes', () => {
    clock.advanceTo(T('2026-11-25T05:00:00Z'));
    timeZone = 'Europe/Paris'; // UTC+1 in November
    add({ kind: 'daily', time: '10:00' }, clock.now());
    const sch = scheduler();
    sch.start();
    clock.advanceTo(T('2026-11-25T09:00:30Z'));
    expect(fired).toHaveLength(1);
    timeZone = 'America/New_York'; // UTC-5
    clock.advanceTo(T('2026-11-25T14:59:30Z'));
    expect(fired).toHaveLength(1);
    clock.advanceTo(T('2026-11-25T15:00:30Z')); // 10:00 in New York
    expect(fired).toHaveLength(2);
    sch.stop();
  });

  it('a failing announcement is logged and the schedule goes on', () => {
    clock.advanceTo(T('2026-11-25T09:00:00Z'));
    add({ kind: 'daily', time: '10:00' }, clock.now());
    let calls = 0;
    const sch = new AnnouncementScheduler({
      store: store.schedules,
      timeZoneOf: () => 'UTC',
      clock,
      onDue: () => {
        calls++;
        throw new Error('boom');
      },
      logger: log.logger,
    });
    sch.start();
    clock.advanceTo(T('2026-11-25T10:00:01Z'));
    clock.advanceTo(T('2026-11-26T10:00:01Z'));
    expect(calls).toBe(2);
    expect(log.lines.filter((l) => l.msg === 'scheduled announcement failed')).toHaveLength(2);
    sch.stop();
  });
});
