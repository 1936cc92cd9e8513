import { messageFor } from '../../support/errorWords.js';
import { describe, expect, it } from 'vitest';
import { describeSchedule, dueRuns, nextRun, parseWhen } from '../../../src/features/announcements/schedule.js';
import { renderBatch, validateTemplate, type AnnouncementKind, type AnnouncementTemplates } from '../../../src/features/announcements/templates.js';
import { phrasesIn } from '../../support/spokenPhrases.js';
import type { AnnouncementBatch } from '../../../src/features/announcements/voiceEventBatcher.js';
import { buildSpeechRequest } from '../../../src/speech/request.js';
import { expectSpeakable, fc, longText, runs, strangeText, timed, timeLimit, userErrorOr } from './fuzz.js';

const TTS = { defaults: { model: 'tts-1', voice: 'alloy', speed: 1, format: 'mp3' as const }, models: ['tts-1'], voices: ['alloy'], instructionModels: [] };

const templateText = fc.oneof(
  strangeText(6),
  fc.tuple(strangeText(3), strangeText(3)).map(([a, b]) => `${a}{name}${b}`.slice(0, 100)),
  fc.tuple(strangeText(2), strangeText(2), strangeText(2)).map(([a, b, c]) => `${a}{name}${b}{channel}${c}`),
);
/** Templates as the settings store would keep them: a moderator's, when it validates, else the default. */
const templates: fc.Arbitrary<AnnouncementTemplates> = fc
  .record({ join: templateText, leave: templateText, move: templateText })
  .map((t) => {
    const pick = (kind: AnnouncementKind, fallback: string) => (validateTemplate(kind, t[kind]).ok ? t[kind] : fallback);
    return { join: pick('join', '{name} joined'), leave: pick('leave', '{name} left'), move: pick('move', '{name} moved to {channel}') };
  });
// Display names are at most 32 characters and channel names at most 100 on Discord.
const name = strangeText(4).map((n) => n.slice(0, 32));
const channel = fc.oneof(strangeText(8).map((c) => c.slice(0, 100)), fc.string({ minLength: 90, maxLength: 100 }));
// Many members moving to many channels within one window is rare but possible (a moderator dragging people around).
const batch: fc.Arbitrary<AnnouncementBatch> = fc.record({
  joined: fc.array(name, { maxLength: 30 }),
  left: fc.array(name, { maxLength: 30 }),
  moved: fc.oneof(fc.array(fc.record({ name, channel }), { maxLength: 60 }), fc.array(fc.record({ name, channel }), { maxLength: 60, size: 'max' })),
});

describe('announcement templates, tried by machine', () => {
  it('validateTemplate answers every text without throwing', () => {
    fc.assert(
      fc.property(fc.constantFrom<AnnouncementKind>('join', 'leave', 'move'), templateText, (kind, text) => {
        const check = validateTemplate(kind, text);
        if (!check.ok) expect(check.reason.length).toBeGreaterThan(0);
      }),
      runs(300),
    );
  });

  it('what a batch renders to is nothing, or one speech request (not blank, at most 4096)', () => {
    fc.assert(
      fc.property(batch, templates, (b, t) => {
        const text = renderBatch(b, t, phrasesIn('en-US'));
        if (b.joined.length + b.left.length + b.moved.length === 0) expect(text).toBe('');
        if (text === '') return; // nothing to say: nothing is queued
        expectSpeakable(text);
        expect(userErrorOr(() => buildSpeechRequest({ text }, TTS)).ok).toBe(true);
      }),
      runs(300),
    );
  });
});

const ZONES = ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham', 'Australia/Lord_Howe', 'America/Santiago', 'Etc/GMT+12', 'Pacific/Kiritimati'];
const when = fc.oneof(
  strangeText(3),
  fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 70 })).map(([h, m]) => `${h}:${String(m).padStart(2, '0')}`),
  fc.tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }))
    .map(([y, mo, d, h, mi]) => `${String(y).padStart(4, '0')}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')} ${h}:${String(mi).padStart(2, '0')}`),
  fc.constant(''),
);
const cronField = fc.constantFrom('*', '*/5', '0', '59', '60', '1-5', '5-1', 'MON', 'L', 'W', '#', '?', '0,30', '*/0', '99999999', '-1', 'JAN', '31', '2');
const recurrence = fc.oneof(
  fc.constantFrom('once', 'daily', 'weekdays', 'weekly', 'ONCE', ' daily '),
  fc.array(cronField, { minLength: 5, maxLength: 5 }).map((f) => f.join(' ')),
  fc.array(cronField, { minLength: 1, maxLength: 7 }).map((f) => f.join(' ')),
  strangeText(4),
);
const zone = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ZONES) }, { weight: 1, arbitrary: strangeText(2) });
const now = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true });

describe('schedule parsing, tried by machine', () => {
  it('parseWhen never throws; a schedule it accepts can be described, and its runs found', () => {
    fc.assert(
      fc.property(when, recurrence, zone, now, (text, repeat, timeZone, at) => {
        const parsed = parseWhen(text, repeat, timeZone, at);
        if (!parsed.ok) {
          expect(messageFor('announce.bad_time', { ...parsed.problem }).length).toBeGreaterThan(0);
          return;
        }
        expect(describeSchedule(parsed.spec, timeZone).length).toBeGreaterThan(0);
        const next = nextRun(parsed.spec, timeZone, at);
        expect(next).not.toBeNull();
        expect(next!.getTime()).toBeGreaterThan(at.getTime());
        const due = dueRuns(parsed.spec, timeZone, at, new Date(at.getTime() + 3 * 86_400_000));
        expect(due.missed).toBeGreaterThanOrEqual(0);
      }),
      runs(300),
    );
  });

  it('takes linear time: 100,000 characters of time or repeat are answered in under 2 s', { timeout: timeLimit(4, 4000) }, () => {
    fc.assert(
      fc.property(longText(100_000), zone, now, (text, timeZone, at) => {
        expect(timed(() => void parseWhen(text, 'once', timeZone, at))).toBeLessThan(2000);
        expect(timed(() => void parseWhen('', text, timeZone, at))).toBeLessThan(2000);
        expect(timed(() => void parseWhen(text, text, text, at))).toBeLessThan(2000);
      }),
      runs(4),
    );
  });
});
