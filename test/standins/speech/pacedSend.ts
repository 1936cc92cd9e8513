/** Writes a response body piece by piece at a set pace, with optional stall or cut points. */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to deliver a body that already has its status and headers set (but not sent). */
export interface PacedBody {
  chunks: Buffer[];
  /** Pace; Infinity writes without pauses. */
  bytesPerSecond: number;
  /** After this many body bytes, pause for `forMs` (default: until `signal` aborts). */
  stall?: { afterBytes: number; forMs?: number };
  /** After this many body bytes, stop and report 'cut' (the caller destroys the socket). */
  cutAfterBytes?: number;
  /** Aborts delivery (client went away, or the stand-in is closing). */
  signal: AbortSignal;
  /** Called with each piece once it was handed to the socket. */
  onWrite(piece: Buffer): void;
}

/** How delivery ended. */
export type PacedOutcome = 'complete' | 'cut' | 'aborted';

/** Sends the body: piece i goes out (bytes before it / bytesPerSecond) after the first, plus any stall time. */
export async function sendPaced(res: ServerResponse, body: PacedBody): Promise<PacedOutcome> {
  const { signal, bytesPerSecond } = body;
  const marks = [body.stall?.afterBytes, body.cutAfterBytes].filter((n): n is number => n !== undefined);
  const pieces = splitAt(body.chunks, marks);
  let sent = 0;
  let start = performance.now();

  // At a stall or cut mark: null to go on, or the outcome to stop with.
  const checkpoint = async (): Promise<PacedOutcome | null> => {
    if (body.cutAfterBytes === sent) {
      if (sent === 0) await flushHeaders(res);
      return 'cut';
    }
    if (body.stall?.afterBytes === sent) {
      if (sent === 0) await flushHeaders(res);
      const stallStart = performance.now();
      const resumed = body.stall.forMs === undefined ? await untilAborted(signal) : await wait(body.stall.forMs, signal);
      if (!resumed) return 'aborted';
      start += performance.now() - stallStart;
    }
    return null;
  };

  for (const piece of pieces) {
    const stop = await checkpoint();
    if (stop !== null) return stop;
    if (Number.isFinite(bytesPerSecond) && sent > 0) {
      const due = start + (sent / bytesPerSecond) * 1000;
      if (!(await wait(due - performance.now(), signal))) return 'aborted';
    }
    if (!(await write(res, piece, signal))) return 'aborted';
    if (sent === 0) start = performance.now();
    sent += piece.length;
    body.onWrite(piece);
  }
  const stop = await checkpoint();
  if (stop !== null) return stop;
  if (signal.aborted) return 'aborted';
  await new Promise<void>((resolve) => res.end(resolve));
  return 'complete';
}

/** Re-cuts pieces so that each mark (a byte offset) falls on a piece boundary. */
function splitAt(chunks: Buffer[], marks: number[]): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    let rest = chunk;
    for (const mark of [...marks].sort((a, b) => a - b)) {
      const cut = mark - offset;
      if (cut > 0 && cut < rest.length) {
        out.push(rest.subarray(0, cut));
        offset += cut;
        rest = rest.subarray(cut);
      }
    }
    if (rest.length > 0) out.push(rest);
    offset += rest.length;
  }
  return out;
}

function write(res: ServerResponse, piece: Buffer, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    res.write(piece, (err) => {
      signal.removeEventListener('abort', onAbort);
      resolve(!err && !signal.aborted);
    });
  });
}

/** Puts the status line and headers on the wire without any body bytes. */
async function flushHeaders(res: ServerResponse): Promise<void> {
  res.flushHeaders();
  // Let the socket take the header bytes before anything destroys it.
  await new Promise<void>((resolve) => setImmediate(resolve));
}

async function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

function untilAborted(signal: AbortSignal): Promise<false> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(false);
    else signal.addEventListener('abort', () => resolve(false), { once: true });
  });
}
