/** Lets tests wait for a condition on stand-in state; every state change calls `notify()`. */
export class ChangeSignal {
  readonly #listeners = new Set<() => void>();

  /** Wakes every waiter so it re-checks its condition. */
  notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  /**
   * Resolves with the first non-undefined result of `check` (tried now, after every change, and every
   * `pollMs` for conditions on state outside the stand-in, e.g. a client's cache); rejects after
   * `timeoutMs` with `describe()` in the message.
   */
  waitFor<T>(check: () => T | undefined, timeoutMs: number, describe: () => string, pollMs = 20): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const attempt = (): boolean => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          finish();
          reject(error as Error);
          return true;
        }
        if (value === undefined) return false;
        finish();
        resolve(value);
        return true;
      };
      const listener = () => void attempt();
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`));
      }, timeoutMs);
      const poll = setInterval(listener, pollMs);
      const finish = () => {
        clearTimeout(timer);
        clearInterval(poll);
        this.#listeners.delete(listener);
      };
      this.#listeners.add(listener);
      attempt();
    });
  }
}
