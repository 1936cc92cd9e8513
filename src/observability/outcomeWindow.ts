/** Recent outcomes of some call (e.g. speech requests) within a sliding window, on an injected clock. */
export class OutcomeWindow {
  private readonly outcomes: Array<{ at: number; ok: boolean }> = [];

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Records one outcome now. */
  record(ok: boolean): void {
    this.outcomes.push({ at: this.now(), ok });
    this.prune();
  }

  /** True when there were calls in the window and every one of them failed. */
  allFailed(): boolean {
    this.prune();
    return this.outcomes.length > 0 && this.outcomes.every((o) => !o.ok);
  }

  private prune(): void {
    const since = this.now() - this.windowMs;
    while (this.outcomes.length > 0 && this.outcomes[0]!.at < since) this.outcomes.shift();
    // Only "all failed" matters: keep at most the last success and the failures after it.
    const lastOk = this.outcomes.findLastIndex((o) => o.ok);
    if (lastOk > 0) this.outcomes.splice(0, lastOk);
  }
}
