import type { AttachmentCdn } from './cdnRoutes.js';
import { GatewayIntentBits, MessageType } from 'discord-api-types/v10';
import { apiGatewayMessage, apiMessage, parseMentions, type MessageInteractionInfo, type MessageStore, type StoredMessage } from './messageStore.js';
import type { MessageDraft } from './messagePayload.js';
import type { Gateway, GatewaySession } from './gateway.js';
import type { GuildState } from './guildState.js';
import type { SnowflakeFactory } from './snowflakes.js';
import type { ChangeSignal } from './changeSignal.js';
import { errors } from './discordErrors.js';
import { apiMember } from './apiObjects.js';

/** Who and what a new message is. */
export interface NewMessage {
  channelId: string;
  guildId: string;
  authorId: string;
  draft: MessageDraft;
  type?: MessageType;
  webhookId?: string;
  applicationId?: string;
  interaction?: MessageInteractionInfo;
  ephemeral?: boolean;
}

/** Dependencies of the message service. */
export interface MessageServiceDeps {
  state: GuildState;
  store: MessageStore;
  ids: SnowflakeFactory;
  gateway: Gateway;
  signal: ChangeSignal;
  /** http://127.0.0.1:PORT (attachment URLs hang off it). */
  origin(): string;
  /** Signs attachment URLs. */
  cdn?: AttachmentCdn;
  /** Privileged intents enabled for the app (MESSAGE_CONTENT decides what REST reads show). */
  allowedPrivilegedIntents: number;
}

/** Creates, edits and deletes messages and reactions, and dispatches the matching gateway events. */
export class MessageService {
  constructor(private readonly deps: MessageServiceDeps) {}

  /** Whether the bot may read this message's content with the given intents (Discord's MESSAGE_CONTENT rules). */
  contentVisible(message: StoredMessage, intents: number): boolean {
    const botId = this.deps.state.botUser.id;
    return (intents & GatewayIntentBits.MessageContent) !== 0 || message.authorId === botId || message.mentions.userIds.includes(botId);
  }

  /** The message as a REST response shows it to the bot. */
  renderForRest(message: StoredMessage): ReturnType<typeof apiMessage> {
    return apiMessage(this.deps.state, message, {
      cdnBase: this.deps.origin(), cdn: this.deps.cdn,
      hideContent: !this.contentVisible(message, this.deps.allowedPrivilegedIntents),
    });
  }

  /** The message with everything visible (for interaction payloads and tests). */
  renderFull(message: StoredMessage): ReturnType<typeof apiMessage> {
    return apiMessage(this.deps.state, message, { cdnBase: this.deps.origin(), cdn: this.deps.cdn, hideContent: false });
  }

  private renderFor(session: GatewaySession, message: StoredMessage) {
    return apiGatewayMessage(this.deps.state, message, {
      cdnBase: this.deps.origin(), cdn: this.deps.cdn,
      hideContent: !this.contentVisible(message, session.intents),
    });
  }

  /** Stores a message and dispatches MESSAGE_CREATE (not for ephemeral ones). */
  create(input: NewMessage): StoredMessage {
    const { state, store, ids } = this.deps;
    const replied = input.draft.referenceMessageId ? store.byId.get(input.draft.referenceMessageId) : undefined;
    if (input.draft.referenceMessageId && (!replied || replied.channelId !== input.channelId || replied.deleted)) {
      throw errors.unknownMessage();
    }
    const message: StoredMessage = {
      id: ids.next(),
      channelId: input.channelId,
      guildId: input.guildId,
      authorId: input.authorId,
      content: input.draft.content,
      embeds: input.draft.embeds,
      components: input.draft.components,
      attachments: input.draft.attachments,
      flags: input.draft.flags,
      type: input.type ?? (replied ? MessageType.Reply : MessageType.Default),
      tts: input.draft.tts,
      createdAt: new Date().toISOString(),
      editedAt: null,
      mentions: parseMentions(state, input.draft.content, input.draft.allowedMentions, replied?.authorId),
      allowedMentions: input.draft.allowedMentions,
      ephemeral: input.ephemeral ?? false,
      deleted: false,
    };
    if (input.draft.referenceMessageId) message.referenceMessageId = input.draft.referenceMessageId;
    if (input.webhookId) message.webhookId = input.webhookId;
    if (input.applicationId) message.applicationId = input.applicationId;
    if (input.interaction) message.interaction = input.interaction;
    store.add(message);
    if (!message.ephemeral) this.deps.gateway.dispatch('MESSAGE_CREATE', (s: GatewaySession) => this.renderFor(s, message), message.guildId);
    this.deps.signal.notify();
    return message;
  }

  /** Applies an edit and dispatches MESSAGE_UPDATE (not for ephemeral ones). */
  update(message: StoredMessage, draft: MessageDraft): StoredMessage {
    const replied = message.referenceMessageId ? this.deps.store.byId.get(message.referenceMessageId) : undefined;
    message.content = draft.content;
    message.embeds = draft.embeds;
    message.components = draft.components;
    message.attachments = draft.attachments;
    message.flags = draft.flags;
    message.allowedMentions = draft.allowedMentions;
    message.mentions = parseMentions(this.deps.state, draft.content, draft.allowedMentions, replied?.authorId);
    message.editedAt = new Date().toISOString();
    if (!message.ephemeral) this.deps.gateway.dispatch('MESSAGE_UPDATE', (s: GatewaySession) => this.renderFor(s, message), message.guildId);
    this.deps.signal.notify();
    return message;
  }

  /** Marks a message deleted and dispatches MESSAGE_DELETE (not for ephemeral ones). */
  remove(message: StoredMessage): void {
    message.deleted = true;
    if (!message.ephemeral) {
      this.deps.gateway.dispatch('MESSAGE_DELETE', { id: message.id, channel_id: message.channelId, guild_id: message.guildId }, message.guildId);
    }
    this.deps.signal.notify();
  }

  /** Adds a reaction (idempotent, as Discord's PUT is) and dispatches MESSAGE_REACTION_ADD. */
  addReaction(message: StoredMessage, userId: string, emoji: string): void {
    const byEmoji = this.deps.store.reactions.get(message.id) ?? new Map<string, Set<string>>();
    this.deps.store.reactions.set(message.id, byEmoji);
    const users = byEmoji.get(emoji) ?? new Set<string>();
    byEmoji.set(emoji, users);
    if (users.has(userId)) return;
    users.add(userId);
    const guild = this.deps.state.guilds.get(message.guildId);
    const member = guild?.members.get(userId);
    this.deps.gateway.dispatch('MESSAGE_REACTION_ADD', {
      type: 0,
      user_id: userId,
      channel_id: message.channelId,
      message_id: message.id,
      guild_id: message.guildId,
      ...(member ? { member: apiMember(this.deps.state, member) } : {}),
      emoji: emojiObject(emoji),
      message_author_id: message.authorId,
      burst: false,
      burst_colors: [],
    }, message.guildId);
    this.deps.signal.notify();
  }

  /** Removes a reaction and dispatches MESSAGE_REACTION_REMOVE. */
  removeReaction(message: StoredMessage, userId: string, emoji: string): void {
    const users = this.deps.store.reactions.get(message.id)?.get(emoji);
    if (!users?.delete(userId)) return;
    if (users.size === 0) this.deps.store.reactions.get(message.id)?.delete(emoji);
    this.deps.gateway.dispatch('MESSAGE_REACTION_REMOVE', {
      type: 0,
      user_id: userId,
      channel_id: message.channelId,
      message_id: message.id,
      guild_id: message.guildId,
      emoji: emojiObject(emoji),
      burst: false,
    }, message.guildId);
    this.deps.signal.notify();
  }
}

/** `name:id` (custom) or a unicode emoji → Discord's partial emoji object. */
export function emojiObject(emoji: string): { id: string | null; name: string } {
  const custom = /^<?a?:?([\w~]{2,32}):(\d{17,20})>?$/.exec(emoji);
  return custom ? { id: custom[2]!, name: custom[1]! } : { id: null, name: emoji };
}
