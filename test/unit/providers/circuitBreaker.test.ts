import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../src/speech/providers/circuitBreaker.js';

function breaker(failures = 3, cooldownMs = 1000) {
  let now = 10_000;
  const b = new CircuitBreaker({ failures, cooldownMs, now: () => now });
  return { b, tick: (ms: number) => (now += ms), now: () => now };
}

describe('CircuitBreaker', () => {
  it('stays closed below the failure count and a success resets the streak', () => {
    const { b, tick } = breaker(3);
    b.tryAcquire()!.failure();
    tick(5);
    b.tryAcquire()!.failure();
    expect(b.state).toEqual({ status: 'closed', failures: 2, failingSince: 10_000 });
    b.tryAcquire()!.success();
    expect(b.state).toEqual({ status: 'closed', failures: 0, failingSince: undefined });
    b.tryAcquire()!.failure();
    b.tryAcquire()!.failure();
    expect(b.state.status).toBe('closed');
  });

  it('opens after N failures in a row and refuses passes until the cool-down is over', () => {
    const { b, tick } = breaker(3, 1000);
    for (let i = 0; i < 3; i++) b.tryAcquire()!.failure();
    expect(b.state).toEqual({ status: 'open', until: 11_000, failingSince: 10_000 });
    expect(b.tryAcquire()).toBeUndefined();
    expect(b.available).toBe(false);
    tick(999);
    expect(b.tryAcquire()).toBeUndefined();
    tick(1);
    expect(b.state).toEqual({ status: 'half-open', probing: false, failingSince: 10_000 });
  });

  it('half-open lets exactly one probe through; its success closes the circuit', () => {
    const { b, tick } = breaker(1, 1000);
    b.tryAcquire()!.failure();
    tick(1000);
    const probe = b.tryAcquire()!;
    expect(probe).toBeDefined();
    expect(b.tryAcquire()).toBeUndefined();
    expect(b.state).toMatchObject({ status: 'half-open', probing: true });
    probe.success();
    expect(b.state.status).toBe('closed');
    expect(b.tryAcquire()).toBeDefined();
  });

  it('a failed probe re-opens the circuit for another cool-down', () => {
    const { b, tick } = breaker(2, 500);
    b.tryAcquire()!.failure();
    b.tryAcquire()!.failure();
    tick(500);
    b.tryAcquire()!.failure();
    expect(b.state).toEqual({ status: 'open', until: 11_000, failingSince: 10_000 });
  });

  it('a released probe frees the slot for the next request', () => {
    const { b, tick } = breaker(1, 100);
    b.tryAcquire()!.failure();
    tick(100);
    b.tryAcquire()!.release();
    expect(b.state).toMatchObject({ status: 'half-open', probing: false });
    expect(b.tryAcquire()).toBeDefined();
  });

  it('a pass counts once, and a late failure from before the opening does not extend it', () => {
    const { b, tick } = breaker(2, 1000);
    const early = b.tryAcquire()!;
    const p1 = b.tryAcquire()!;
    const p2 = b.tryAcquire()!;
    p1.failure();
    p1.failure();
    expect(b.state.status).toBe('closed');
    p2.failure();
    expect(b.state).toMatchObject({ status: 'open', until: 11_000 });
    tick(10);
    early.failure();
    expect(b.state).toMatchObject({ status: 'open', until: 11_000 });
  });
});
