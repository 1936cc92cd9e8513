/** The stand-in's clock. */

/** Milliseconds on the `Date.now()` scale with sub-ms precision. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
