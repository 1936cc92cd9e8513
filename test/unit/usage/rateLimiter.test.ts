import { describe, expect, it } from 'vitest';
import { MemberRateLimiter } from '../../../src/usage/rateLimiter.js';

const G = '100000000000000001';
const A = '200000000000000001';
const B = '200000000000000002';

function clockAt(start: number) {
  const clock = { t: start, now: () => clock.t };
  return clock;
}

describe('member rate limiter (token bucket)', () => {
  it('admits a full minute’s worth at once, then refuses with the instant the next token arrives', () => {
    const clock = clockAt(1_000_000);
    const limiter = new MemberRateLimiter(clock);
    for (let i = 0; i < 10; i++) expect(limiter.take(G, A, 10)).toEqual({ ok: true });
    // One token every 6 s at 10 a minute.
    expect(limiter.take(G, A, 10)).toEqual({ ok: false, retryAt: 1_006_000 });
    clock.t += 3_000;
    expect(limiter.take(G, A, 10)).toEqual({ ok: false, retryAt: 1_006_000 });
    clock.t = 1_006_000;
    expect(limiter.take(G, A, 10)).toEqual({ ok: true });
    expect(limiter.take(G, A, 10)).toEqual({ ok: false, retryAt: 1_012_000 });
  });

  it('keeps members and guilds apart', () => {
    const limiter = new MemberRateLimiter(clockAt(0));
    for (let i = 0; i < 3; i++) limiter.take(G, A, 3);
    expect(limiter.take(G, A, 3).ok).toBe(false);
    expect(limiter.take(G, B, 3).ok).toBe(true);
    expect(limiter.take('100000000000000002', A, 3).ok).toBe(true);
  });

  it('refills to the rate and no further', () => {
    const clock = clockAt(0);
    const limiter = new MemberRateLimiter(clock);
    limiter.take(G, A, 5);
    clock.t += 10 * 60_000;
    let admitted = 0;
    while (limiter.take(G, A, 5).ok) admitted++;
    expect(admitted).toBe(5);
  });

  it('a flood over 10 s gets the burst plus what refills in 10 s', () => {
    const clock = clockAt(0);
    const limiter = new MemberRateLimiter(clock);
    let admitted = 0;
    for (let i = 0; i < 30; i++) {
      clock.t = Math.round((i * 10_000) / 30);
      if (limiter.take(G, A, 10).ok) admitted++;
    }
    // 10 at once, then one every 6 s: at 6 s one more (9.67 s is the last request).
    expect(admitted).toBe(11);
  });

  it('a lowered rate applies at once; tokens are capped to it', () => {
    const clock = clockAt(0);
    const limiter = new MemberRateLimiter(clock);
    expect(limiter.take(G, A, 60).ok).toBe(true);
    let admitted = 0;
    while (limiter.take(G, A, 2).ok) admitted++;
    expect(admitted).toBe(2);
    expect(limiter.take(G, A, 2)).toEqual({ ok: false, retryAt: 30_000 });
  });

  it('forgets members whose bucket is full again, so memory stays bounded', () => {
    const clock = clockAt(0);
    const limiter = new MemberRateLimiter(clock);
    for (let i = 0; i < 1000; i++) limiter.take(G, `3000000000000${String(i).padStart(5, '0')}`, 10);
    expect(limiter.size).toBe(1000);
    clock.t += 61_000;
    limiter.take(G, A, 10);
    expect(limiter.size).toBe(1);
  });
});
