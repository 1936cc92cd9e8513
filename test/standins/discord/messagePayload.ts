import type { APIEmbed } from 'discord-api-types/v10';
import { ErrorCollector, errors } from './discordErrors.js';
import type { StoredAttachment, StoredMessage } from './messageStore.js';
import type { UploadedFile } from './requestBody.js';
import type { SnowflakeFactory } from './snowflakes.js';
import { checkNotVoiceMessage, checkVoiceMessage, CREATE_FLAGS_BY_ROUTE } from './voiceMessageRules.js';

/** Message flag bits the stand-in cares about (Discord's MessageFlags). */
export const Flags = {
  SuppressEmbeds: 1 << 2,
  Ephemeral: 1 << 6,
  Loading: 1 << 7,
  SuppressNotifications: 1 << 12,
  IsVoiceMessage: 1 << 13,
  IsComponentsV2: 1 << 15,
} as const;

// Editing cannot turn a message into a voice message; Discord ignores the bit on edits.
const EDIT_FLAGS = Flags.SuppressEmbeds | Flags.IsComponentsV2;
export { DEFERRABLE_FLAGS } from './voiceMessageRules.js';

/** The content fields of a message, as produced from a create or edit payload. */
export interface MessageDraft {
  content: string;
  embeds: APIEmbed[];
  components: unknown[];
  attachments: StoredAttachment[];
  flags: number;
  tts: boolean;
  allowedMentions: unknown;
  referenceMessageId?: string;
}

/** What a payload is checked against. */
export interface PayloadRules {
  ids: SnowflakeFactory;
  /** Largest accepted file, bytes (413 / 40005 above it). */
  sizeLimit: number;
  /** Where the payload sits in the request, for 50035 error paths (e.g. ['data'] in callbacks). */
  errorPath: string[];
  /** Whether EPHEMERAL (64) may be set (interaction responses and follow-ups only). */
  allowEphemeral: boolean;
  /** Which route creates the message: webhooks (follow-ups) cannot set IS_VOICE_MESSAGE. Default 'message'. */
  route?: keyof typeof CREATE_FLAGS_BY_ROUTE;
}

type Payload = Record<string, unknown>;

interface AttachmentRef {
  id?: unknown;
  filename?: unknown;
  description?: unknown;
  duration_secs?: unknown;
  waveform?: unknown;
}

function asPayload(value: unknown): Payload {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Payload) : {};
}

function checkFileSizes(files: UploadedFile[], limit: number): void {
  if (files.some((f) => f.data.length > limit)) throw errors.requestEntityTooLarge();
}

function validateFields(payload: Payload, rules: PayloadRules, collector: ErrorCollector): void {
  const at = (...path: Array<string | number>) => [...rules.errorPath, ...path];
  const content = payload.content;
  if (content !== undefined && content !== null) {
    if (typeof content !== 'string') collector.add(at('content'), 'STRING_TYPE_CONVERT', 'Could not interpret value as string.');
    else if (content.length > 2000) collector.add(at('content'), 'BASE_TYPE_MAX_LENGTH', 'Must be 2000 or fewer in length.');
  }
  const embeds = payload.embeds;
  if (Array.isArray(embeds)) {
    if (embeds.length > 10) collector.add(at('embeds'), 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    embeds.forEach((embed: APIEmbed, i) => {
      if ((embed.title?.length ?? 0) > 256) collector.add(at('embeds', i, 'title'), 'BASE_TYPE_MAX_LENGTH', 'Must be 256 or fewer in length.');
      if ((embed.description?.length ?? 0) > 4096) collector.add(at('embeds', i, 'description'), 'BASE_TYPE_MAX_LENGTH', 'Must be 4096 or fewer in length.');
    });
  }
  if (Array.isArray(payload.components) && payload.components.length > 5 && !((Number(payload.flags ?? 0) & Flags.IsComponentsV2) !== 0)) {
    collector.add(at('components'), 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  }
  if (Array.isArray(payload.attachments) && payload.attachments.length > 10) {
    collector.add(at('attachments'), 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  }
}

function newAttachment(rules: PayloadRules, file: UploadedFile, ref: AttachmentRef | undefined): StoredAttachment {
  const attachment: StoredAttachment = {
    id: rules.ids.next(),
    name: typeof ref?.filename === 'string' ? ref.filename : file.name,
    contentType: file.contentType,
    data: file.data,
  };
  if (typeof ref?.description === 'string') attachment.description = ref.description;
  if (typeof ref?.duration_secs === 'number') attachment.durationSecs = ref.duration_secs;
  if (typeof ref?.waveform === 'string') attachment.waveform = ref.waveform;
  return attachment;
}

function refsOf(payload: Payload): AttachmentRef[] {
  return Array.isArray(payload.attachments) ? (payload.attachments as AttachmentRef[]) : [];
}

function fileFor(files: UploadedFile[], ref: AttachmentRef): UploadedFile | undefined {
  return files.find((f) => f.index !== null && String(f.index) === String(ref.id));
}

function isEmpty(draft: MessageDraft): boolean {
  return draft.content === '' && draft.embeds.length === 0 && draft.components.length === 0 && draft.attachments.length === 0;
}

/** Validates a create payload (message, reply, follow-up) and turns it into message fields. */
export function draftFromCreate(body: unknown, files: UploadedFile[], rules: PayloadRules): MessageDraft {
  const payload = asPayload(body);
  const collector = new ErrorCollector();
  validateFields(payload, rules, collector);
  collector.throwIfAny();
  checkFileSizes(files, rules.sizeLimit);
  const refs = refsOf(payload);
  const attachments = files.map((file) => newAttachment(rules, file, refs.find((r) => fileFor([file], r))));
  const requested = Number(payload.flags ?? 0);
  const allowed = CREATE_FLAGS_BY_ROUTE[rules.route ?? 'message'] | (rules.allowEphemeral ? Flags.Ephemeral : 0);
  const reference = asPayload(payload.message_reference);
  const draft: MessageDraft = {
    content: typeof payload.content === 'string' ? payload.content : '',
    embeds: Array.isArray(payload.embeds) ? (payload.embeds as APIEmbed[]) : [],
    components: Array.isArray(payload.components) ? payload.components : [],
    attachments,
    flags: requested & allowed,
    tts: payload.tts === true,
    allowedMentions: payload.allowed_mentions,
  };
  if (typeof reference.message_id === 'string') draft.referenceMessageId = reference.message_id;
  checkVoiceMessage({ ...draft, hasStickersOrPoll: Array.isArray(payload.sticker_ids) || Boolean(payload.poll) });
  if (isEmpty(draft) && !Array.isArray(payload.sticker_ids) && !payload.poll) throw errors.emptyMessage();
  return draft;
}

/**
 * Validates an edit payload against an existing message and returns the edited fields. Omitted
 * fields stay; `attachments` (API v10) lists everything to keep, old ids and new `files[n]` indexes.
 * A deferred response never carries IS_VOICE_MESSAGE (type 5 keeps only EPHEMERAL), so the edit that completes it is
 * an ordinary message; a voice message cannot be edited at all (50162).
 */
export function draftFromEdit(existing: StoredMessage, body: unknown, files: UploadedFile[], rules: PayloadRules): MessageDraft {
  const payload = asPayload(body);
  checkNotVoiceMessage(existing.flags);
  const collector = new ErrorCollector();
  validateFields(payload, rules, collector);
  collector.throwIfAny();
  checkFileSizes(files, rules.sizeLimit);
  let attachments = existing.attachments;
  if (Array.isArray(payload.attachments)) {
    const refs = refsOf(payload);
    const kept = existing.attachments.filter((a) => refs.some((r) => String(r.id) === a.id));
    const added = refs.flatMap((ref) => {
      const file = fileFor(files, ref);
      return file ? [newAttachment(rules, file, ref)] : [];
    });
    attachments = [...kept, ...added];
  } else if (files.length > 0) {
    attachments = [...existing.attachments, ...files.map((f) => newAttachment(rules, f, undefined))];
  }
  const keptFlags = existing.flags & ~EDIT_FLAGS & ~Flags.Loading;
  const flags = 'flags' in payload && payload.flags !== null ? keptFlags | (Number(payload.flags) & EDIT_FLAGS) : existing.flags & ~Flags.Loading;
  const draft: MessageDraft = {
    content: 'content' in payload ? (typeof payload.content === 'string' ? payload.content : '') : existing.content,
    embeds: 'embeds' in payload ? (Array.isArray(payload.embeds) ? (payload.embeds as APIEmbed[]) : []) : existing.embeds,
    components: 'components' in payload ? (Array.isArray(payload.components) ? payload.components : []) : existing.components,
    attachments,
    flags,
    tts: existing.tts,
    // Discord rebuilds the mentions of edited content from the edit's own allowed_mentions; without one, the content
    // is parsed with the defaults, whatever the message was created with (message resource, Edit Message).
    allowedMentions: 'content' in payload ? payload.allowed_mentions : existing.allowedMentions,
  };
  if (existing.referenceMessageId) draft.referenceMessageId = existing.referenceMessageId;
  checkVoiceMessage(draft);
  if (isEmpty(draft)) throw errors.emptyMessage();
  return draft;
}
