/** Lets callers wait until a condition over mutable recorded state holds; the recorder calls `notify()` after each change. */
export class ChangeSignal {
  private readonly listeners = new Set<() => void>();

  /** Re-checks every pending `until` condition. */
  notify(): void {
    if (this.listeners.size === 0) return;
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves once `condition()` is true (checked now and after each `notify`); rejects after `timeoutMs`. */
  until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        if (!condition()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`voice stand-in: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
    });
  }
}
