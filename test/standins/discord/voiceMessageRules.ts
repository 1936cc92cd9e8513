import { errors } from './discordErrors.js';
import type { StoredAttachment } from './messageStore.js';

/*
 * Discord's rules for voice messages (message resource, "Voice Messages"; interactions, "Interaction Callback Data
 * Structure"; webhook resource, Execute / Edit Webhook Message; opcodes-and-status-codes 50159-50162, 50173), in one
 * place for every route that creates or edits a message:
 * - Create Message and an initial interaction response (type 4) may set IS_VOICE_MESSAGE;
 * - a deferred response (type 5) keeps only EPHEMERAL, so its later edit is an ordinary message;
 * - Execute Webhook (interaction follow-ups) takes only SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2 (and
 *   EPHEMERAL for follow-ups): the voice bit is dropped, as Discord drops it (discord-api-docs #7158); the first
 *   follow-up after a deferral is an edit of the deferred response anyway;
 * - edits cannot set it, and a voice message cannot be edited (50162);
 * - no content, embeds, components, stickers or poll with it (50159); exactly one attachment whose content type starts
 *   with `audio/` (50160); `duration_secs` (a positive number) and `waveform` (base64, 1-256 bytes) on it (50161);
 * - Create Message needs SEND_VOICE_MESSAGES in the channel (50173).
 */

/** IS_VOICE_MESSAGE (1 << 13). */
export const IS_VOICE_MESSAGE = 1 << 13;
const EPHEMERAL = 1 << 6;
const SUPPRESS_EMBEDS = 1 << 2;
const SUPPRESS_NOTIFICATIONS = 1 << 12;
const IS_COMPONENTS_V2 = 1 << 15;

/** Flags a create may set, by route. */
export const CREATE_FLAGS_BY_ROUTE = {
  /** POST /channels/{id}/messages and an interaction response of type 4. */
  message: SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_VOICE_MESSAGE | IS_COMPONENTS_V2,
  /** POST /webhooks/{app}/{token} (follow-ups; EPHEMERAL added where the route allows it). */
  webhook: SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2,
} as const;

/** Flags a deferred response (callback type 5) keeps: only EPHEMERAL. */
export const DEFERRABLE_FLAGS = EPHEMERAL;

/** What the rules look at in a message being created or edited. */
export interface VoiceMessageDraft {
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: StoredAttachment[];
  flags: number;
  hasStickersOrPoll?: boolean;
}

function validWaveform(waveform: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(waveform) || waveform.length % 4 !== 0) return false;
  const bytes = Buffer.from(waveform, 'base64').length;
  return bytes >= 1 && bytes <= 256;
}

/** Throws Discord's error when a draft with IS_VOICE_MESSAGE breaks a voice-message rule. */
export function checkVoiceMessage(draft: VoiceMessageDraft): void {
  if ((draft.flags & IS_VOICE_MESSAGE) === 0) return;
  if (draft.content !== '' || draft.embeds.length > 0 || draft.components.length > 0 || draft.hasStickersOrPoll) {
    throw errors.voiceMessageAdditionalContent();
  }
  const [audio, ...rest] = draft.attachments;
  if (!audio || rest.length > 0 || !/^audio\//i.test(audio.contentType)) throw errors.voiceMessageSingleAudioAttachment();
  const duration = audio.durationSecs;
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration <= 0 || typeof audio.waveform !== 'string' || !validWaveform(audio.waveform)) {
    throw errors.voiceMessageMetadata();
  }
}

/** Throws 50162 when an edit targets a voice message. */
export function checkNotVoiceMessage(existingFlags: number): void {
  if ((existingFlags & IS_VOICE_MESSAGE) !== 0) throw errors.voiceMessageCannotBeEdited();
}

/** Throws 50173 when a voice message is created where the author lacks SEND_VOICE_MESSAGES. */
export function checkVoiceMessagePermission(flags: number, canSendVoiceMessages: boolean): void {
  if ((flags & IS_VOICE_MESSAGE) !== 0 && !canSendVoiceMessages) throw errors.voiceMessagesNotAllowed();
}
