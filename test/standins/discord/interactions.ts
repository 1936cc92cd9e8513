import { randomBytes } from 'node:crypto';
import { InteractionResponseType, InteractionType, MessageType, ApplicationCommandType } from 'discord-api-types/v10';
import { DiscordHttpError, errors, fieldError } from './discordErrors.js';
import { DEFERRABLE_FLAGS, draftFromCreate, draftFromEdit, Flags, type PayloadRules } from './messagePayload.js';
import { checkVoiceMessagePermission } from './voiceMessageRules.js';
import type { MessageService } from './messageService.js';
import type { MessageStore, StoredMessage } from './messageStore.js';
import type { ParsedBody } from './requestBody.js';
import type { SnowflakeFactory } from './snowflakes.js';
import type { ChangeSignal } from './changeSignal.js';
import type { Gateway } from './gateway.js';
import type { RestAnswer } from './restRouter.js';
import { MESSAGE_CALLBACK_TYPES, type SentPayload, type SentPayloadKind, type SentPayloadLog } from './sentPayloads.js';

/** SEND_VOICE_MESSAGES (1 << 46). */
const SEND_VOICE_MESSAGES = 1n << 46n;

/** A file as recorded from a request or shown in a message. */
export interface RecordedFile {
  name: string;
  contentType: string;
  data: Buffer;
  /** Voice-message metadata, when the message carries it. */
  durationSecs?: number;
  waveform?: string;
}

/** One request the bot made about an interaction, with the stand-in's answer. */
export interface InteractionEvent {
  kind: 'callback' | 'edit' | 'followup' | 'delete';
  /** Date.now() when the request arrived. */
  at: number;
  /** Callback type (4 reply, 5 defer, 6 deferred update, 7 update, 8 autocomplete result, 9 modal). */
  type?: number;
  /** The parsed JSON payload (`payload_json` for multipart). */
  body: any;
  files: RecordedFile[];
  /** Message flags the request asked for (EPHEMERAL 64, SUPPRESS_NOTIFICATIONS 4096, IS_VOICE_MESSAGE 8192...). */
  flags: number;
  /** `allowed_mentions` as sent, if any. */
  allowedMentions?: unknown;
  /** HTTP status the stand-in answered. */
  status: number;
  /** Discord's error body when status ≥ 400. */
  error?: { code: number; message: string; errors?: unknown };
  /** The message created/edited/deleted, when there is one. */
  messageId?: string;
}

/** A message as a user would see it now. */
export interface VisibleMessage {
  id: string;
  content: string;
  embeds: any[];
  components: any[];
  attachments: RecordedFile[];
  flags: number;
}

/** What tests hold to follow one interaction. */
export interface InteractionHandle {
  readonly id: string;
  readonly token: string;
  /** Date.now() when INTERACTION_CREATE was dispatched. */
  readonly createdAt: number;
  readonly type: InteractionType;
  /** The exact INTERACTION_CREATE payload sent to the bot. */
  readonly payload: Record<string, any>;
  readonly events: InteractionEvent[];
  /** Whether an initial response (callback) was accepted. */
  readonly acknowledged: boolean;
  /** Whether the original response is ephemeral. */
  readonly ephemeral: boolean;
  /** The modal the bot opened (callback type 9), if any. */
  readonly modal: any;
  /** Autocomplete choices the bot answered with (callback type 8), if any. */
  readonly autocompleteChoices: Array<{ name: string; value: string | number }> | undefined;
  /** Resolves once `pred(handle)` holds (checked on every change); rejects after `timeoutMs` (default 10 s). */
  waitFor(pred: (h: InteractionHandle) => boolean, timeoutMs?: number): Promise<void>;
  /** Resolves with the first recorded event (past or future) matching `pred`. */
  waitForEvent(pred: (e: InteractionEvent) => boolean, timeoutMs?: number): Promise<InteractionEvent>;
  /** The original response as currently visible (after edits), or undefined if none/deleted. */
  message(): VisibleMessage | undefined;
  /** Follow-up messages still visible, oldest first. */
  followups(): VisibleMessage[];
}

/** How an interaction was acknowledged. */
type Ack = 'none' | 'message' | 'deferred' | 'deferredUpdate' | 'update' | 'autocomplete' | 'modal';

/** Everything needed to create an interaction. */
export interface NewInteraction {
  type: InteractionType;
  guildId: string;
  channelId: string;
  userId: string;
  payload: Record<string, any>;
  attachmentSizeLimit: number;
  ackDeadlineMs: number;
  /** The callback route waits this long before handling the bot's initial response. */
  callbackDelayMs?: number;
  commandName?: string;
  commandType?: ApplicationCommandType;
  /** For component and modal interactions: the message the component sits on. */
  sourceMessageId?: string;
}

class Interaction implements InteractionHandle {
  readonly events: InteractionEvent[] = [];
  ack: Ack = 'none';
  originalId: string | undefined;
  readonly followupIds: string[] = [];
  modal: any = undefined;
  autocompleteChoices: Array<{ name: string; value: string | number }> | undefined = undefined;

  constructor(
    readonly id: string,
    readonly token: string,
    readonly createdAt: number,
    readonly spec: NewInteraction,
    private readonly service: InteractionService,
  ) {}

  get type(): InteractionType {
    return this.spec.type;
  }
  get payload(): Record<string, any> {
    return this.spec.payload;
  }
  get acknowledged(): boolean {
    return this.ack !== 'none';
  }
  get ephemeral(): boolean {
    const original = this.originalId ? this.service.store.byId.get(this.originalId) : undefined;
    return original?.ephemeral ?? false;
  }

  waitFor(pred: (h: InteractionHandle) => boolean, timeoutMs = 10_000): Promise<void> {
    return this.service.signal.waitFor(() => (pred(this) ? true : undefined), timeoutMs, () =>
      `interaction ${this.spec.commandName ?? this.id} condition; events so far: ${JSON.stringify(this.events.map((e) => ({ kind: e.kind, type: e.type, status: e.status, error: e.error?.code })))}`,
    ).then(() => undefined);
  }

  waitForEvent(pred: (e: InteractionEvent) => boolean, timeoutMs = 10_000): Promise<InteractionEvent> {
    return this.service.signal.waitFor(() => this.events.find(pred), timeoutMs, () =>
      `an event on interaction ${this.spec.commandName ?? this.id}; got ${JSON.stringify(this.events.map((e) => ({ kind: e.kind, type: e.type, status: e.status })))}`,
    );
  }

  message(): VisibleMessage | undefined {
    const original = this.originalId ? this.service.store.byId.get(this.originalId) : undefined;
    return original && !original.deleted ? visible(original) : undefined;
  }

  followups(): VisibleMessage[] {
    return this.followupIds.map((id) => this.service.store.byId.get(id)!).filter((m) => !m.deleted).map(visible);
  }
}

function visible(message: StoredMessage): VisibleMessage {
  return {
    id: message.id,
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    attachments: message.attachments.map((a) => ({ name: a.name, contentType: a.contentType, data: a.data })),
    flags: message.flags,
  };
}

/** Dependencies of the interaction service. */
export interface InteractionServiceDeps {
  ids: SnowflakeFactory;
  applicationId: string;
  botUserId: string;
  store: MessageStore;
  messages: MessageService;
  gateway: Gateway;
  signal: ChangeSignal;
  /** How long interaction tokens stay valid for webhooks (Discord: 15 minutes). */
  tokenLifetimeMs: number;
  /** Every message payload the bot sends is logged here. */
  sent: SentPayloadLog;
}

const ALLOWED_CALLBACKS: Record<number, number[]> = {
  [InteractionType.ApplicationCommand]: [4, 5, 9],
  [InteractionType.MessageComponent]: [4, 5, 6, 7, 9],
  [InteractionType.ApplicationCommandAutocomplete]: [8],
  [InteractionType.ModalSubmit]: [4, 5, 6, 7],
};

/** Interaction lifecycle: creation, the initial callback, and the webhook (edit / follow-up) routes. */
export class InteractionService {
  readonly #byId = new Map<string, Interaction>();
  readonly #byToken = new Map<string, Interaction>();

  constructor(private readonly deps: InteractionServiceDeps) {}

  get store(): MessageStore {
    return this.deps.store;
  }
  get signal(): ChangeSignal {
    return this.deps.signal;
  }

  /** All interactions created so far, oldest first. */
  all(): InteractionHandle[] {
    return [...this.#byId.values()];
  }

  /** Creates an interaction and dispatches INTERACTION_CREATE with id, token and application id filled in. */
  create(spec: NewInteraction): InteractionHandle {
    const id = this.deps.ids.next();
    const token = `aW50ZXJhY3Rpb246${randomBytes(48).toString('base64url')}`;
    const payload = { ...spec.payload, id, token, application_id: this.deps.applicationId, version: 1 };
    const interaction = new Interaction(id, token, Date.now(), { ...spec, payload }, this);
    this.#byId.set(id, interaction);
    this.#byToken.set(token, interaction);
    this.deps.gateway.dispatch('INTERACTION_CREATE', payload);
    this.deps.signal.notify();
    return interaction;
  }

  /** How long the callback route holds this interaction's initial response (0 if unknown). */
  callbackDelayMs(id: string): number {
    return this.#byId.get(id)?.spec.callbackDelayMs ?? 0;
  }

  /** POST /interactions/{id}/{token}/callback */
  callback(id: string, token: string, withResponse: string | null, body: ParsedBody): RestAnswer {
    const interaction = this.#byId.get(id);
    if (!interaction || interaction.token !== token) throw errors.unknownInteraction();
    const payload = (body.json ?? {}) as { type?: unknown; data?: Record<string, any> };
    const type = Number(payload.type);
    const event: InteractionEvent = {
      kind: 'callback',
      at: Date.now(),
      type,
      body: payload,
      files: recordFiles(body),
      flags: Number(payload.data?.flags ?? 0),
      status: 0,
    };
    if (payload.data?.allowed_mentions !== undefined) event.allowedMentions = payload.data.allowed_mentions;
    const sent = MESSAGE_CALLBACK_TYPES.has(type)
      ? this.deps.sent.record({ kind: 'interaction-response', method: 'POST', path: `/interactions/${id}/callback`, callbackType: type, body: payload.data ?? {} })
      : undefined;
    return this.recorded(interaction, event, () => this.acknowledge(interaction, type, payload.data, body, withResponse, event), sent);
  }

  private acknowledge(interaction: Interaction, type: number, data: Record<string, any> | undefined, body: ParsedBody, withResponse: string | null, event: InteractionEvent): RestAnswer {
    if (withResponse !== null && withResponse !== 'true' && withResponse !== 'false') {
      throw fieldError(['with_response'], 'BOOLEAN_TYPE_CONVERT', 'Must be either true or false.');
    }
    if (interaction.ack !== 'none') throw errors.alreadyAcknowledged();
    if (event.at > interaction.createdAt + interaction.spec.ackDeadlineMs) throw errors.unknownInteraction();
    if (!(ALLOWED_CALLBACKS[interaction.type] ?? []).includes(type)) {
      throw fieldError(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', `Interaction response type ${type} is not valid for interaction type ${interaction.type}`);
    }
    const rules = this.rules(interaction, ['data']);
    let message: StoredMessage | undefined;
    switch (type) {
      case InteractionResponseType.ChannelMessageWithSource: {
        const draft = draftFromCreate(data, body.files, rules);
        // The app's permissions in the channel, as the interaction told it (app_permissions).
        const appPermissions = BigInt(String(interaction.spec.payload.app_permissions ?? '0'));
        checkVoiceMessagePermission(draft.flags, (appPermissions & SEND_VOICE_MESSAGES) !== 0n);
        message = this.createResponse(interaction, draft, (draft.flags & Flags.Ephemeral) !== 0);
        interaction.ack = 'message';
        break;
      }
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        const kept = Number(data?.flags ?? 0) & DEFERRABLE_FLAGS;
        const ephemeral = (kept & Flags.Ephemeral) !== 0;
        const flags = Flags.Loading | kept;
        message = this.createResponse(interaction, { content: '', embeds: [], components: [], attachments: [], flags, tts: false, allowedMentions: undefined }, ephemeral);
        interaction.ack = 'deferred';
        break;
      }
      case InteractionResponseType.DeferredMessageUpdate:
        interaction.originalId = interaction.spec.sourceMessageId;
        interaction.ack = 'deferredUpdate';
        break;
      case InteractionResponseType.UpdateMessage: {
        const source = interaction.spec.sourceMessageId ? this.deps.store.byId.get(interaction.spec.sourceMessageId) : undefined;
        if (!source || source.deleted) throw errors.unknownMessage();
        message = this.deps.messages.update(source, draftFromEdit(source, data, body.files, rules));
        interaction.originalId = source.id;
        interaction.ack = 'update';
        break;
      }
      case InteractionResponseType.ApplicationCommandAutocompleteResult:
        interaction.autocompleteChoices = validateChoices(data);
        interaction.ack = 'autocomplete';
        break;
      case InteractionResponseType.Modal:
        validateModal(data);
        interaction.modal = data;
        interaction.ack = 'modal';
        break;
      default:
        throw fieldError(['type'], 'BASE_TYPE_CHOICES', 'Value must be one of {4, 5, 6, 7, 8, 9, 10, 12}.');
    }
    if (message) event.messageId = message.id;
    if (withResponse !== 'true') return { status: 204 };
    const resource: Record<string, unknown> = { type };
    if (message) resource.message = this.deps.messages.renderFull(message);
    const callback: Record<string, unknown> = { id: interaction.id, type: interaction.type };
    if (message) {
      callback.response_message_id = message.id;
      callback.response_message_loading = (message.flags & Flags.Loading) !== 0;
      callback.response_message_ephemeral = message.ephemeral;
    }
    return { status: 200, body: { interaction: callback, resource } };
  }

  private createResponse(interaction: Interaction, draft: Parameters<MessageService['create']>[0]['draft'], ephemeral: boolean): StoredMessage {
    const { commandName, commandType } = interaction.spec;
    const responseType = interaction.type !== InteractionType.ApplicationCommand
      ? MessageType.Default
      : commandType === ApplicationCommandType.ChatInput
        ? MessageType.ChatInputCommand
        : MessageType.ContextMenuCommand;
    const message = this.deps.messages.create({
      channelId: interaction.spec.channelId,
      guildId: interaction.spec.guildId,
      authorId: this.deps.botUserId,
      draft,
      type: responseType,
      webhookId: this.deps.applicationId,
      applicationId: this.deps.applicationId,
      interaction: {
        id: interaction.id,
        type: interaction.type,
        userId: interaction.spec.userId,
        ...(commandName ? { commandName } : {}),
        ...(commandType ? { commandType } : {}),
      },
      ephemeral,
    });
    interaction.originalId = message.id;
    return message;
  }

  private rules(interaction: Interaction, errorPath: string[]): PayloadRules {
    return { ids: this.deps.ids, sizeLimit: interaction.spec.attachmentSizeLimit, errorPath, allowEphemeral: true };
  }

  /** Finds the interaction behind a webhook token, applying Discord's webhook rules. */
  private webhook(applicationId: string, token: string): Interaction {
    const interaction = this.#byToken.get(token);
    if (applicationId !== this.deps.applicationId || !interaction) throw errors.unknownWebhook();
    if (Date.now() > interaction.createdAt + this.deps.tokenLifetimeMs) throw errors.invalidWebhookToken();
    if (interaction.ack === 'none') throw errors.unknownWebhook();
    return interaction;
  }

  private target(interaction: Interaction, messageId: string): StoredMessage {
    const id = messageId === '@original' ? interaction.originalId : messageId;
    const owned = id !== undefined && (id === interaction.originalId || interaction.followupIds.includes(id));
    const message = owned ? this.deps.store.byId.get(id) : undefined;
    if (!message || message.deleted) throw errors.unknownMessage();
    return message;
  }

  /** GET /webhooks/{app}/{token}/messages/{id|@original} */
  getMessage(applicationId: string, token: string, messageId: string): RestAnswer {
    const interaction = this.webhook(applicationId, token);
    return { status: 200, body: this.deps.messages.renderFull(this.target(interaction, messageId)) };
  }

  /** PATCH /webhooks/{app}/{token}/messages/{id|@original} */
  editMessage(applicationId: string, token: string, messageId: string, body: ParsedBody): RestAnswer {
    const interaction = this.#byToken.get(token);
    const payload = (body.json ?? {}) as Record<string, any>;
    const event = this.webhookEvent('edit', payload, body);
    const kind: SentPayloadKind = messageId === '@original' || messageId === interaction?.originalId ? 'original-edit' : 'followup-edit';
    const sent = this.logSent(kind, 'PATCH', `/webhooks/${applicationId}/…/messages/${messageId}`, payload);
    const run = () => {
      const owner = this.webhook(applicationId, token);
      const message = this.target(owner, messageId);
      const draft = draftFromEdit(message, payload, body.files, this.rules(owner, []));
      this.deps.messages.update(message, draft);
      event.messageId = message.id;
      return { status: 200, body: this.deps.messages.renderFull(message) };
    };
    return interaction ? this.recorded(interaction, event, run, sent) : this.answered(sent, run);
  }

  /** DELETE /webhooks/{app}/{token}/messages/{id|@original} */
  deleteMessage(applicationId: string, token: string, messageId: string): RestAnswer {
    const interaction = this.#byToken.get(token);
    const event = this.webhookEvent('delete', undefined, { json: undefined, files: [], multipart: false });
    const run = () => {
      const owner = this.webhook(applicationId, token);
      const message = this.target(owner, messageId);
      this.deps.messages.remove(message);
      event.messageId = message.id;
      return { status: 204 };
    };
    return interaction ? this.recorded(interaction, event, run) : run();
  }

  /** POST /webhooks/{app}/{token} (follow-up message; `?wait=true` returns it). */
  followup(applicationId: string, token: string, wait: boolean, body: ParsedBody): RestAnswer {
    const interaction = this.#byToken.get(token);
    const payload = (body.json ?? {}) as Record<string, any>;
    const event = this.webhookEvent('followup', payload, body);
    const sent = this.logSent('followup', 'POST', `/webhooks/${applicationId}/…`, payload);
    const run = () => {
      const owner = this.webhook(applicationId, token);
      const draft = draftFromCreate(payload, body.files, { ...this.rules(owner, []), route: 'webhook' });
      const message = this.deps.messages.create({
        channelId: owner.spec.channelId,
        guildId: owner.spec.guildId,
        authorId: this.deps.botUserId,
        draft,
        type: MessageType.Default,
        webhookId: this.deps.applicationId,
        applicationId: this.deps.applicationId,
        interaction: { id: owner.id, type: owner.type, userId: owner.spec.userId },
        ephemeral: (draft.flags & Flags.Ephemeral) !== 0,
      });
      owner.followupIds.push(message.id);
      event.messageId = message.id;
      return wait ? { status: 200, body: this.deps.messages.renderFull(message) } : { status: 204 };
    };
    return interaction ? this.recorded(interaction, event, run, sent) : this.answered(sent, run);
  }

  private logSent(kind: SentPayloadKind, method: string, path: string, body: Record<string, any>): SentPayload {
    return this.deps.sent.record({ kind, method, path, body });
  }

  /** Runs a request that belongs to no known interaction, noting its status on the sent-payload entry. */
  private answered(sent: SentPayload, run: () => RestAnswer): RestAnswer {
    try {
      const answer = run();
      sent.status = answer.status;
      return answer;
    } catch (error) {
      sent.status = error instanceof DiscordHttpError ? error.status : 500;
      throw error;
    }
  }

  private webhookEvent(kind: InteractionEvent['kind'], payload: Record<string, any> | undefined, body: ParsedBody): InteractionEvent {
    const event: InteractionEvent = { kind, at: Date.now(), body: payload, files: recordFiles(body), flags: Number(payload?.flags ?? 0), status: 0 };
    if (payload?.allowed_mentions !== undefined) event.allowedMentions = payload.allowed_mentions;
    return event;
  }

  /** Runs a request, recording it (with the status answered, errors included) on the interaction. */
  private recorded(interaction: Interaction, event: InteractionEvent, run: () => RestAnswer, sent?: SentPayload): RestAnswer {
    try {
      const answer = run();
      event.status = answer.status;
      return answer;
    } catch (error) {
      if (error instanceof DiscordHttpError) {
        event.status = error.status;
        event.error = error.body();
      } else {
        event.status = 500;
      }
      throw error;
    } finally {
      if (sent) sent.status = event.status;
      interaction.events.push(event);
      this.deps.signal.notify();
    }
  }
}

function recordFiles(body: ParsedBody): RecordedFile[] {
  return body.files.map((f) => ({ name: f.name, contentType: f.contentType, data: f.data }));
}

function validateChoices(data: Record<string, any> | undefined): Array<{ name: string; value: string | number }> {
  const choices = data?.choices;
  if (!Array.isArray(choices)) throw fieldError(['data', 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
  if (choices.length > 25) throw fieldError(['data', 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  choices.forEach((choice: any, i: number) => {
    if (typeof choice?.name !== 'string' || choice.name.length < 1 || choice.name.length > 100) {
      throw fieldError(['data', 'choices', i, 'name'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    }
    if (typeof choice.value !== 'string' && typeof choice.value !== 'number') {
      throw fieldError(['data', 'choices', i, 'value'], 'BASE_TYPE_REQUIRED', 'This field is required');
    }
    if (typeof choice.value === 'string' && choice.value.length > 100) {
      throw fieldError(['data', 'choices', i, 'value'], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.');
    }
  });
  return choices as Array<{ name: string; value: string | number }>;
}

function validateModal(data: Record<string, any> | undefined): void {
  const customId = data?.custom_id;
  if (typeof customId !== 'string' || customId.length < 1 || customId.length > 100) {
    throw fieldError(['data', 'custom_id'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  }
  const title = data?.title;
  if (typeof title !== 'string' || title.length < 1 || title.length > 45) {
    throw fieldError(['data', 'title'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 45 in length.');
  }
  const components = data?.components;
  if (!Array.isArray(components) || components.length < 1 || components.length > 5) {
    throw fieldError(['data', 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
  }
}
