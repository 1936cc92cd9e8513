/** Milliseconds since the epoch; injected so tests move time by hand. */
export type Now = () => number;

/** Where a provider's circuit stands. */
export type CircuitState =
  /** Requests go through; `failures` in a row so far (the streak began at `failingSince`). */
  | { status: 'closed'; failures: number; failingSince: number | undefined }
  /** Requests skip the provider until `until`; then one probe may go. */
  | { status: 'open'; until: number; failingSince: number }
  /** The cool-down is over: one probe is (or may be) on its way; its outcome closes or re-opens the circuit. */
  | { status: 'half-open'; probing: boolean; failingSince: number };

/** Settings of a circuit breaker. */
export interface CircuitBreakerOptions {
  /** Failures in a row that open the circuit. */
  failures: number;
  /** How long an open circuit stays open before one probe is let through. */
  cooldownMs: number;
  now: Now;
}

/** A permission to call the provider, returned by {@link CircuitBreaker.tryAcquire}; settle it exactly once. */
export interface CircuitPass {
  /** The provider answered (with audio, or with an answer that says nothing about its health). */
  success(): void;
  /** The provider failed in a way that counts against it (connection, 5xx, 429 after retries, time-out). */
  failure(): void;
  /** The call ended without telling anything (the caller gave up): a probe's slot is freed for the next request. */
  release(): void;
}

/** Closed / open / half-open circuit breaker of one provider: after repeated failures it is skipped for a cool-down. */
export class CircuitBreaker {
  #state: CircuitState = { status: 'closed', failures: 0, failingSince: undefined };
  readonly #options: CircuitBreakerOptions;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
  }

  /** The current state (an open circuit whose cool-down is over reads as half-open). */
  get state(): CircuitState {
    this.#advance();
    return this.#state;
  }

  /** Whether a request may go to the provider now, without taking the probe. */
  get available(): boolean {
    const s = this.state;
    return s.status === 'closed' || (s.status === 'half-open' && !s.probing);
  }

  /** A pass to call the provider now, or undefined while the circuit is open or its one probe is out. */
  tryAcquire(): CircuitPass | undefined {
    const s = this.state;
    if (s.status === 'open' || (s.status === 'half-open' && s.probing)) return undefined;
    const probe = s.status === 'half-open';
    if (probe) this.#state = { ...s, probing: true };
    let settled = false;
    const once = (fn: () => void) => () => {
      if (settled) return;
      settled = true;
      fn();
    };
    return {
      success: once(() => this.#succeeded()),
      failure: once(() => this.#failed(probe)),
      release: once(() => {
        if (probe && this.#state.status === 'half-open') this.#state = { ...this.#state, probing: false };
      }),
    };
  }

  #advance(): void {
    const s = this.#state;
    if (s.status === 'open' && this.#options.now() >= s.until) {
      this.#state = { status: 'half-open', probing: false, failingSince: s.failingSince };
    }
  }

  #succeeded(): void {
    this.#state = { status: 'closed', failures: 0, failingSince: undefined };
  }

  #failed(probe: boolean): void {
    const now = this.#options.now();
    const s = this.#state;
    if (s.status === 'closed') {
      const failures = s.failures + 1;
      const failingSince = s.failingSince ?? now;
      this.#state =
        failures >= this.#options.failures
          ? { status: 'open', until: now + this.#options.cooldownMs, failingSince }
          : { status: 'closed', failures, failingSince };
    } else if (s.status === 'half-open' && probe) {
      this.#state = { status: 'open', until: now + this.#options.cooldownMs, failingSince: s.failingSince };
    }
    // A late failure of a call that began before the circuit opened changes nothing.
  }
}
