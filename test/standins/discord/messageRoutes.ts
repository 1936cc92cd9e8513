import { PermissionFlagsBits } from 'discord-api-types/v10';
import { DiscordHttpError, errors } from './discordErrors.js';
import { draftFromCreate, draftFromEdit } from './messagePayload.js';
import { checkVoiceMessagePermission } from './voiceMessageRules.js';
import { has } from './permissions.js';
import { apiUser } from './apiObjects.js';
import type { ChannelRecord, GuildRecord } from './guildState.js';
import type { StoredMessage } from './messageStore.js';
import type { RestAnswer, RestRequest, RestRouter } from './restRouter.js';
import type { RouteContext } from './routeContext.js';
import type { SentPayload } from './sentPayloads.js';

const P = PermissionFlagsBits;
// The `v` flag (RGI_Emoji) is newer than the project's TS target, so build it at runtime.
const UNICODE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

/** Channel message routes: send, read, edit, delete, typing and the bot's reactions. */
export function registerMessageRoutes(router: RestRouter, ctx: RouteContext): void {
  const botId = () => ctx.state.botUser.id;

  const channelOf = (req: RestRequest): { guild: GuildRecord; channel: ChannelRecord; permissions: bigint } => {
    const found = ctx.state.findChannel(req.params.channel!);
    if (!found) throw errors.unknownChannel();
    const permissions = ctx.state.permissions(found.guild, botId(), found.channel);
    if (!has(permissions, P.ViewChannel)) throw errors.missingAccess();
    return { ...found, permissions };
  };
  const messageOf = (req: RestRequest, channel: ChannelRecord): StoredMessage => {
    const message = ctx.store.get(channel.id, req.params.message!);
    if (!message || message.ephemeral) throw errors.unknownMessage();
    return message;
  };
  const emojiOf = (req: RestRequest): string => {
    const emoji = req.params.emoji!;
    // No custom emojis exist in the stand-in's guilds; unicode ones must be real emoji.
    if (!UNICODE_EMOJI.test(emoji)) throw errors.unknownEmoji();
    return emoji;
  };

  /** Logs a message payload the bot sent, with the status it got. */
  const logged = (req: RestRequest, kind: 'channel-message' | 'channel-message-edit', handle: () => RestAnswer): RestAnswer => {
    const body = (req.body.json && typeof req.body.json === 'object' ? req.body.json : {}) as Record<string, unknown>;
    const sent: SentPayload = ctx.sent.record({ kind, method: req.method, path: req.path, body });
    try {
      const answer = handle();
      sent.status = answer.status;
      return answer;
    } catch (error) {
      sent.status = error instanceof DiscordHttpError ? error.status : 500;
      throw error;
    }
  };

  router.add('POST', '/channels/:channel/messages', (req) => logged(req, 'channel-message', () => {
    const { guild, channel, permissions } = channelOf(req);
    if (!has(permissions, P.SendMessages)) throw errors.missingPermissions();
    if (req.body.files.length > 0 && !has(permissions, P.AttachFiles)) throw errors.missingPermissions();
    const draft = draftFromCreate(req.body.json, req.body.files, {
      ids: ctx.ids,
      sizeLimit: guild.attachmentSizeLimit,
      errorPath: [],
      allowEphemeral: false,
    });
    checkVoiceMessagePermission(draft.flags, has(permissions, P.SendVoiceMessages));
    if (draft.referenceMessageId && !has(permissions, P.ReadMessageHistory)) throw errors.missingPermissions();
    const message = ctx.messages.create({ channelId: channel.id, guildId: guild.id, authorId: botId(), draft });
    return { status: 200, body: ctx.messages.renderForRest(message) };
  }));

  router.add('GET', '/channels/:channel/messages', (req) => {
    const { channel, permissions } = channelOf(req);
    if (!has(permissions, P.ReadMessageHistory)) return { status: 200, body: [] };
    const limit = Math.min(Math.max(Number(req.query.get('limit') ?? 50), 1), 100);
    const before = req.query.get('before');
    const after = req.query.get('after');
    let list = ctx.store.inChannel(channel.id).reverse();
    if (before) list = list.filter((m) => BigInt(m.id) < BigInt(before));
    if (after) list = list.filter((m) => BigInt(m.id) > BigInt(after));
    return { status: 200, body: list.slice(0, limit).map((m) => ctx.messages.renderForRest(m)) };
  });

  router.add('GET', '/channels/:channel/messages/:message', (req) => {
    const { channel, permissions } = channelOf(req);
    if (!has(permissions, P.ReadMessageHistory)) throw errors.missingAccess();
    return { status: 200, body: ctx.messages.renderForRest(messageOf(req, channel)) };
  });

  router.add('PATCH', '/channels/:channel/messages/:message', (req) => logged(req, 'channel-message-edit', () => {
    const { guild, channel } = channelOf(req);
    const message = messageOf(req, channel);
    if (message.authorId !== botId()) throw errors.cannotEditOthersMessage();
    const draft = draftFromEdit(message, req.body.json, req.body.files, {
      ids: ctx.ids,
      sizeLimit: guild.attachmentSizeLimit,
      errorPath: [],
      allowEphemeral: false,
    });
    return { status: 200, body: ctx.messages.renderForRest(ctx.messages.update(message, draft)) };
  }));

  router.add('DELETE', '/channels/:channel/messages/:message', (req) => {
    const { channel, permissions } = channelOf(req);
    const message = messageOf(req, channel);
    if (message.authorId !== botId() && !has(permissions, P.ManageMessages)) throw errors.missingPermissions();
    ctx.messages.remove(message);
    return { status: 204 };
  });

  router.add('POST', '/channels/:channel/typing', (req) => {
    const { guild, channel, permissions } = channelOf(req);
    if (!has(permissions, P.SendMessages)) throw errors.missingPermissions();
    ctx.gateway.dispatch('TYPING_START', {
      channel_id: channel.id,
      guild_id: guild.id,
      user_id: botId(),
      timestamp: Math.floor(Date.now() / 1000),
    });
    return { status: 204 };
  });

  router.add('PUT', '/channels/:channel/messages/:message/reactions/:emoji/@me', (req) => {
    const { channel, permissions } = channelOf(req);
    if (!has(permissions, P.ReadMessageHistory)) throw errors.missingAccess();
    const message = messageOf(req, channel);
    const emoji = emojiOf(req);
    const existing = ctx.store.reactions.get(message.id)?.get(emoji);
    if (!existing?.size && !has(permissions, P.AddReactions)) throw errors.missingPermissions();
    ctx.messages.addReaction(message, botId(), emoji);
    return { status: 204 };
  });

  router.add('DELETE', '/channels/:channel/messages/:message/reactions/:emoji/@me', (req) => {
    const { channel } = channelOf(req);
    const message = messageOf(req, channel);
    ctx.messages.removeReaction(message, botId(), emojiOf(req));
    return { status: 204 };
  });

  router.add('DELETE', '/channels/:channel/messages/:message/reactions/:emoji/:user', (req) => {
    const { channel, permissions } = channelOf(req);
    if (!has(permissions, P.ManageMessages)) throw errors.missingPermissions();
    const message = messageOf(req, channel);
    ctx.messages.removeReaction(message, req.params.user!, emojiOf(req));
    return { status: 204 };
  });

  router.add('GET', '/channels/:channel/messages/:message/reactions/:emoji', (req) => {
    const { channel } = channelOf(req);
    const message = messageOf(req, channel);
    const users = [...(ctx.store.reactions.get(message.id)?.get(emojiOf(req)) ?? [])];
    return { status: 200, body: users.map((id) => apiUser(ctx.state.users.get(id)!)) };
  });
}
