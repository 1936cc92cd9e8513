/** Discord's epoch (2015-01-01T00:00:00Z) in Unix milliseconds; snowflakes count from here. */
export const DISCORD_EPOCH = 1_420_070_400_000n;

/** Generates unique, time-ordered snowflake ids (timestamp << 22 | counter), as Discord does. */
export class SnowflakeFactory {
  #increment = 0n;

  /** A new snowflake for the current time. */
  next(): string {
    const timestamp = BigInt(Date.now()) - DISCORD_EPOCH;
    this.#increment = (this.#increment + 1n) & 0xfffn;
    return ((timestamp << 22n) | (1n << 17n) | this.#increment).toString();
  }
}

/** The Unix millisecond timestamp encoded in a snowflake. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** Whether a string looks like a snowflake (17–20 decimal digits). */
export function isSnowflake(value: string): boolean {
  return /^\d{17,20}$/.test(value);
}
