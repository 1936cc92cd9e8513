import type { AttachmentCdn } from './cdnRoutes.js';
import { MessageType, type APIMessage, type APIAttachment, type APIEmbed, type MessageFlags, type APIMessageTopLevelComponent, type InteractionType, type ApplicationCommandType } from 'discord-api-types/v10';
import { apiMember, apiUser } from './apiObjects.js';
import type { GuildState } from './guildState.js';

/** A file attached to a stored message. */
export interface StoredAttachment {
  id: string;
  name: string;
  contentType: string;
  data: Buffer;
  description?: string;
  durationSecs?: number;
  waveform?: string;
}

/** Who a message pings (after `allowed_mentions`). */
export interface Mentions {
  userIds: string[];
  roleIds: string[];
  everyone: boolean;
}

/** Set on messages created as interaction responses. */
export interface MessageInteractionInfo {
  id: string;
  type: InteractionType;
  userId: string;
  commandName?: string;
  commandType?: ApplicationCommandType;
}

/** A message as the stand-in keeps it (including ephemeral interaction responses). */
export interface StoredMessage {
  id: string;
  channelId: string;
  guildId: string;
  authorId: string;
  content: string;
  embeds: APIEmbed[];
  components: unknown[];
  attachments: StoredAttachment[];
  flags: number;
  type: MessageType;
  tts: boolean;
  createdAt: string;
  editedAt: string | null;
  mentions: Mentions;
  /** `allowed_mentions` as sent, for tests to inspect. */
  allowedMentions: unknown;
  referenceMessageId?: string;
  webhookId?: string;
  applicationId?: string;
  interaction?: MessageInteractionInfo;
  ephemeral: boolean;
  deleted: boolean;
}

/** Where attachments are served: `${base}/attachments/{channel}/{attachment}/{name}`. */
export function attachmentUrl(base: string, message: StoredMessage, attachment: StoredAttachment): string {
  return `${base}/attachments/${message.channelId}/${attachment.id}/${encodeURIComponent(attachment.name)}`;
}

/** Options for rendering a message as JSON. */
export interface RenderOptions {
  /** Base URL for attachment `url`s (the stand-in's http origin). */
  cdnBase: string;
  /** Signs attachment URLs as Discord's CDN does (cdnRoutes.ts); without it URLs are unsigned (and refused by the CDN). */
  cdn?: AttachmentCdn;
  /** Blank content/embeds/attachments/components, as Discord does without the MESSAGE_CONTENT intent. */
  hideContent: boolean;
}

/** Messages by id, in channel order, plus reactions. */
export class MessageStore {
  readonly byId = new Map<string, StoredMessage>();
  readonly #channelOrder = new Map<string, string[]>();
  /** messageId → emoji → user ids. */
  readonly reactions = new Map<string, Map<string, Set<string>>>();

  /** Stores a new message. */
  add(message: StoredMessage): void {
    this.byId.set(message.id, message);
    const order = this.#channelOrder.get(message.channelId) ?? [];
    order.push(message.id);
    this.#channelOrder.set(message.channelId, order);
  }

  /** A live (not deleted) message in a channel. */
  get(channelId: string, messageId: string): StoredMessage | undefined {
    const message = this.byId.get(messageId);
    return message && message.channelId === channelId && !message.deleted ? message : undefined;
  }

  /** Live messages of a channel, oldest first; ephemeral responses only if asked. */
  inChannel(channelId: string, includeEphemeral = false): StoredMessage[] {
    return (this.#channelOrder.get(channelId) ?? [])
      .map((id) => this.byId.get(id)!)
      .filter((m) => !m.deleted && (includeEphemeral || !m.ephemeral));
  }

  /** Finds an attachment by id (for the CDN route). */
  attachment(channelId: string, attachmentId: string): StoredAttachment | undefined {
    for (const id of this.#channelOrder.get(channelId) ?? []) {
      const found = this.byId.get(id)?.attachments.find((a) => a.id === attachmentId);
      if (found) return found;
    }
    return undefined;
  }
}

/** Parses `<@id>`, `<@!id>`, `<@&id>` and @everyone/@here, filtered by `allowed_mentions` like Discord. */
export function parseMentions(
  state: GuildState,
  content: string,
  allowedMentions: unknown,
  repliedUserId?: string,
): Mentions {
  const users = [...content.matchAll(/<@!?(\d{17,20})>/g)].map((m) => m[1]!).filter((id) => state.users.has(id));
  const roles = [...content.matchAll(/<@&(\d{17,20})>/g)].map((m) => m[1]!);
  const everyone = /@(everyone|here)\b/.test(content);
  const allowed = allowedMentions as
    | { parse?: string[]; users?: string[]; roles?: string[]; replied_user?: boolean }
    | undefined
    | null;
  const result: Mentions = allowed
    ? {
        userIds: users.filter((id) => allowed.parse?.includes('users') || allowed.users?.includes(id)),
        roleIds: roles.filter((id) => allowed.parse?.includes('roles') || allowed.roles?.includes(id)),
        everyone: everyone && (allowed.parse?.includes('everyone') ?? false),
      }
    : { userIds: users, roleIds: roles, everyone };
  const pingReplied = allowed ? allowed.replied_user === true : true;
  if (repliedUserId && pingReplied && !result.userIds.includes(repliedUserId)) result.userIds.push(repliedUserId);
  result.userIds = [...new Set(result.userIds)];
  result.roleIds = [...new Set(result.roleIds)];
  return result;
}

/** The message object Discord would send for a stored message. */
export function apiMessage(state: GuildState, message: StoredMessage, options: RenderOptions): APIMessage {
  const author = state.users.get(message.authorId);
  if (!author) throw new Error(`message ${message.id} has an unknown author`);
  const attachments: APIAttachment[] = message.attachments.map((a) => ({
    id: a.id,
    filename: a.name,
    size: a.data.length,
    url: options.cdn ? options.cdn.url(options.cdnBase, message.channelId, a.id, a.name) : attachmentUrl(options.cdnBase, message, a),
    proxy_url: options.cdn ? options.cdn.url(options.cdnBase, message.channelId, a.id, a.name) : attachmentUrl(options.cdnBase, message, a),
    content_type: a.contentType,
    ...(a.description !== undefined ? { description: a.description } : {}),
    ...(a.durationSecs !== undefined ? { duration_secs: a.durationSecs } : {}),
    ...(a.waveform !== undefined ? { waveform: a.waveform } : {}),
    ...(message.ephemeral ? { ephemeral: true } : {}),
  }));
  const hide = options.hideContent;
  const base: APIMessage = {
    id: message.id,
    channel_id: message.channelId,
    author: apiUser(author),
    content: hide ? '' : message.content,
    timestamp: message.createdAt,
    edited_timestamp: message.editedAt,
    tts: message.tts,
    mention_everyone: message.mentions.everyone,
    mentions: message.mentions.userIds.flatMap((id) => {
      const user = state.users.get(id);
      return user ? [apiUser(user)] : [];
    }),
    mention_roles: message.mentions.roleIds,
    attachments: hide ? [] : attachments,
    embeds: hide ? [] : message.embeds,
    components: (hide ? [] : message.components) as APIMessageTopLevelComponent[],
    pinned: false,
    type: message.type,
    flags: message.flags as MessageFlags,
  };
  if (message.webhookId) base.webhook_id = message.webhookId;
  if (message.applicationId) base.application_id = message.applicationId;
  if (message.referenceMessageId) {
    base.message_reference = { type: 0, message_id: message.referenceMessageId, channel_id: message.channelId, guild_id: message.guildId };
  }
  if (message.interaction) {
    const user = state.users.get(message.interaction.userId);
    base.interaction_metadata = {
      id: message.interaction.id,
      type: message.interaction.type,
      user: apiUser(user!),
      authorizing_integration_owners: { 0: message.guildId },
      ...(message.interaction.commandName ? { name: message.interaction.commandName } : {}),
      ...(message.interaction.commandType ? { command_type: message.interaction.commandType } : {}),
    } as APIMessage['interaction_metadata'];
  }
  return base;
}

/** The message object plus `guild_id` and the author's `member`, as in MESSAGE_CREATE / MESSAGE_UPDATE. */
export function apiGatewayMessage(state: GuildState, message: StoredMessage, options: RenderOptions): APIMessage & { guild_id: string; member?: object } {
  const guild = state.guilds.get(message.guildId);
  const member = guild?.members.get(message.authorId);
  const rendered = apiMessage(state, message, options);
  if (!member || message.webhookId) return { ...rendered, guild_id: message.guildId };
  const { user: _user, ...partialMember } = apiMember(state, member);
  return { ...rendered, guild_id: message.guildId, member: partialMember };
}

