import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.js';

/** The problems loadConfig reports for an environment it must refuse (fails the test if it accepts it). */
export function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('loadConfig accepted an invalid environment');
}
