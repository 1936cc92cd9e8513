/** Where a message payload went. */
export type SentPayloadKind = 'interaction-response' | 'original-edit' | 'followup' | 'followup-edit' | 'channel-message' | 'channel-message-edit';

/** One message payload the bot sent (refused ones too), as it arrived. */
export interface SentPayload {
  kind: SentPayloadKind;
  method: string;
  path: string;
  /** Callback type for interaction responses (4 message, 7 update). */
  callbackType?: number;
  /** The message fields as sent (`data` of a callback, the body of the others; `payload_json` for multipart). */
  body: Record<string, unknown>;
  /** Date.now() on arrival. */
  at: number;
  /** HTTP status answered (0 while it is being handled). */
  status: number;
}

/**
 * Callback types that carry a message the bot writes (4 CHANNEL_MESSAGE_WITH_SOURCE, 7 UPDATE_MESSAGE). A deferral
 * (5, 6) has no content (Discord takes only the EPHEMERAL flag with 5), autocomplete (8) and modals (9) are not messages.
 */
export const MESSAGE_CALLBACK_TYPES: ReadonlySet<number> = new Set([4, 7]);

/**
 * Whether `allowed_mentions` lets nothing ping: present (an absent one means Discord's default, which parses every
 * mention in the content, also on edits), with an empty or absent `parse`, no `users` or `roles` lists, and no
 * `replied_user`.
 */
export function allowsNoMentions(allowedMentions: unknown): boolean {
  if (allowedMentions === null || typeof allowedMentions !== 'object' || Array.isArray(allowedMentions)) return false;
  const a = allowedMentions as { parse?: unknown; users?: unknown; roles?: unknown; replied_user?: unknown };
  const empty = (list: unknown) => list === undefined || (Array.isArray(list) && list.length === 0);
  return empty(a.parse) && empty(a.users) && empty(a.roles) && a.replied_user !== true;
}

/** Every message payload the bot sent, in order: the record an "it never pings" check reads. */
export class SentPayloadLog {
  readonly #entries: SentPayload[] = [];

  /** Records a payload; returns the entry so the route can set its status once answered. */
  record(entry: Omit<SentPayload, 'at' | 'status'>): SentPayload {
    const full: SentPayload = { ...entry, at: Date.now(), status: 0 };
    this.#entries.push(full);
    return full;
  }

  /** Everything recorded. */
  all(): readonly SentPayload[] {
    return this.#entries;
  }

  /** Payloads whose `allowed_mentions` would let a mention in them ping (see allowsNoMentions). */
  couldPing(): SentPayload[] {
    return this.#entries.filter((e) => !allowsNoMentions(e.body.allowed_mentions));
  }
}
