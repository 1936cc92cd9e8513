/** What the stand-in records about each HTTP request it received. */
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultSet } from './faults.js';
import type { SpeechFormat } from './formats.js';

/** How a response ended: fully sent, client went away, cut by a fault, or ended by close(). */
export type ResponseOutcome = 'pending' | 'complete' | 'client-aborted' | 'cut' | 'closed';

/** One received request and (live-updated) how the stand-in answered it. */
export interface SpeechRequestRecord {
  /** 1-based order of arrival. */
  id: number;
  /** Arrival time, ms since the epoch. */
  at: number;
  method: string;
  /** Path without query string, e.g. `/v1/audio/speech`. */
  path: string;
  /** Request headers, without `authorization`. */
  headers: Record<string, string>;
  /** Whether an `Authorization` header came at all. */
  hadAuth: boolean;
  /** Whether it was `Bearer <the stand-in's key>`. */
  authOk: boolean;
  /** Parsed JSON body; null when absent or not JSON. */
  body: unknown;
  /** HTTP status sent; 0 until decided. */
  status: number;
  contentType?: string;
  /** Body bytes handed to the socket so far. */
  bytesSent: number;
  /** When the status line and headers went out, ms since the epoch. */
  firstByteAt?: number;
  /** When the response ended (any outcome), ms since the epoch. */
  endedAt?: number;
  /** The whole body was sent and the response terminated. */
  done: boolean;
  /** The client went away before the response was done. */
  aborted: boolean;
  outcome: ResponseOutcome;
  /** Faults applied to this request. */
  faults: FaultSet;
  /** The audio meant for this request (format actually served; garbage responses have none). */
  audio?: { format: SpeechFormat; toneHz: number; durationSeconds: number; bytes: number; sha256: string };
  /** Hex sha256 of the body bytes actually sent, set when the response ends. */
  sha256?: string;
}

/** A fresh record for an arriving request. */
export function newRecord(id: number, method: string, url: string, headers: IncomingHttpHeaders, apiKey: string): SpeechRequestRecord {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'authorization' || value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    id,
    at: Date.now(),
    method,
    path: url.split('?')[0] ?? url,
    headers: flat,
    hadAuth: headers.authorization !== undefined,
    authOk: headers.authorization === `Bearer ${apiKey}`,
    body: null,
    status: 0,
    bytesSent: 0,
    done: false,
    aborted: false,
    outcome: 'pending',
    faults: {},
  };
}
