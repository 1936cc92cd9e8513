import type { ProviderSpec } from '../../config.js';
import type { SpeechRequest } from '../request.js';

/** Who made (or will make) some audio, and exactly what it was asked: the cache keys on both. */
export interface SpeechOrigin {
  /** The provider's name. */
  provider: string;
  /** The request as sent to that provider: its own model, voice and format. */
  request: SpeechRequest;
  /** Whether the provider honours `speed` (false: the audio is at normal speed whatever was asked). */
  speedHonoured: boolean;
}

/** The models to try at a provider, best first: the asked one if it serves it, then its own list; unavailable ones left out. */
export function modelsToTry(spec: ProviderSpec, asked: string, unavailable: ReadonlySet<string>): string[] {
  const own = spec.models ?? [asked];
  const ordered = own.includes(asked) ? [asked, ...own.filter((m) => m !== asked)] : own;
  return ordered.filter((m) => !unavailable.has(m));
}

/** The bot's voice name in the provider's words: through voiceMap, and its first voice when it does not know the name. */
export function voiceAt(spec: ProviderSpec, voice: string): string {
  const mapped = spec.voiceMap[voice] ?? voice;
  if (!spec.voices || spec.voices.includes(mapped)) return mapped;
  return spec.voices[0]!;
}

/**
 * The request as this provider should get it, with `model` (one of {@link modelsToTry}): voice mapped, a format it
 * can return, and speed / instructions left out where it does not honour them.
 */
export function requestFor(spec: ProviderSpec, request: SpeechRequest, model: string): SpeechOrigin {
  const sent: SpeechRequest = {
    model,
    input: request.input,
    voice: voiceAt(spec, request.voice),
    response_format: spec.formats.includes(request.response_format) ? request.response_format : spec.formats[0]!,
    speed: spec.speed ? request.speed : 1,
  };
  if (request.instructions !== undefined && spec.instructions) sent.instructions = request.instructions;
  return { provider: spec.name, request: sent, speedHonoured: spec.speed || request.speed === 1 };
}
