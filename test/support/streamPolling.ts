import type { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { expect } from 'vitest';

/** Polls until `condition` holds, letting streams, promise chains and disk callbacks run in between. */
export async function until(condition: () => boolean, turns = 2000): Promise<void> {
  for (let i = 0; i < turns && !condition(); i++) await tick();
  expect(condition()).toBe(true);
}

/** Reads a stream to its end; resolves with its chunks, their bytes together, and the error it ended with, if any. */
export async function drain(stream: Readable): Promise<{ chunks: Buffer[]; bytes: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  let error: unknown;
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
  } catch (err) {
    error = err;
  }
  return { chunks, bytes: Buffer.concat(chunks), error };
}
