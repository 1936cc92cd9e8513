/**
 * A SpeechClient whose every call the test drives by hand, and small stream helpers for the speech suites.
 *
 *   const provider = manualProvider();
 *   const pending = client.synthesize(request, { key: 'g1' });
 *   await until(() => provider.calls.length === 1);
 *   provider.calls[0].answer();          // resolves synthesize() with calls[0].body
 *   provider.calls[0].body.end(bytes);   // or .destroy(err), or provider.calls[0].refuse(err)
 *   provider.inFlight                    // calls not yet over (pending, or body not ended/destroyed)
 */
import { PassThrough, finished } from 'node:stream';
import type { SpeechRequest } from '../../../src/speech/request.js';
import type { SpeechAudio, SpeechClient, SynthesizeOptions } from '../../../src/speech/speechClient.js';

/** A request as the bot sends it. */
export const request: SpeechRequest = { model: 'gpt-4o-mini-tts', input: 'Hello there', voice: 'alloy', response_format: 'opus', speed: 1 };

/** One call the fake provider received; the test decides when and how it answers. */
export interface ManualCall {
  request: SpeechRequest;
  options: SynthesizeOptions;
  /** The body; write chunks to it, end it or destroy it with an error. */
  body: PassThrough;
  /** Resolves synthesize() with the body (as the real client does once the first bytes arrived). */
  answer(): void;
  /** Rejects synthesize(). */
  refuse(err: unknown): void;
  /** 'pending' until answered or refused; 'streaming' until the body is over. */
  readonly state: 'pending' | 'streaming' | 'over';
}

/** The manual provider and what it saw. */
export interface ManualProvider {
  client: SpeechClient;
  calls: ManualCall[];
  /** Calls not over yet. */
  readonly inFlight: number;
}

/** Creates a SpeechClient whose calls the test answers by hand; an abort behaves as with the real client. */
export function manualProvider(): ManualProvider {
  const calls: ManualCall[] = [];
  const client: SpeechClient = {
    synthesize(req, options = {}) {
      return new Promise<SpeechAudio>((resolve, reject) => {
        const body = new PassThrough();
        let state: ManualCall['state'] = 'pending';
        calls.push({
          request: req,
          options,
          body,
          answer: () => {
            if (state !== 'pending') return;
            state = 'streaming';
            finished(body, { writable: false }, () => (state = 'over'));
            resolve({ stream: body, contentType: 'audio/ogg', ttfbMs: 42, attempts: 1 });
          },
          refuse: (err) => {
            if (state !== 'pending') return;
            state = 'over';
            reject(err);
          },
          get state() {
            return state;
          },
        });
        options.signal?.addEventListener('abort', () => {
          if (state === 'streaming') body.destroy(options.signal?.reason as Error);
          else if (state === 'pending') {
            state = 'over';
            reject(options.signal?.reason);
          }
        });
      });
    },
  };
  return {
    client,
    calls,
    get inFlight() {
      return calls.filter((c) => c.state !== 'over').length;
    },
  };
}

export { drain, until } from '../../support/streamPolling.js';
