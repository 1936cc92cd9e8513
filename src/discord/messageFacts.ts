import { MessageFlags, MessageReferenceType, MessageType, type Message } from 'discord.js';
import type { MessageFacts } from '../features/reading/messageFacts.js';

// Message types a person writes; everything else (joins, pins, boosts…) is a system message.
const USER_TYPES = new Set([MessageType.Default, MessageType.Reply, MessageType.ChatInputCommand, MessageType.ContextMenuCommand]);

/** Reads what the reading feature needs from a discord.js message (guild messages only). */
export function messageFacts(message: Message<true>): MessageFacts {
  const guild = message.guild;
  const member = message.member ?? guild.members.cache.get(message.author.id) ?? null;
  const nameOf = (userId: string, fallback: string) => guild.members.cache.get(userId)?.displayName ?? fallback;
  const users: Record<string, string> = {};
  for (const [id, user] of message.mentions.users) users[id] = nameOf(id, user.displayName);
  const roles: Record<string, string> = {};
  for (const [id, role] of message.mentions.roles) roles[id] = role.name;
  const channels: Record<string, string> = {};
  for (const [id, channel] of message.mentions.channels) channels[id] = 'name' in channel && channel.name ? channel.name : 'a channel';
  // Mentions discord.js did not resolve (e.g. a channel not in its cache) are looked up in the guild's caches.
  for (const [, id] of message.content.matchAll(/<#(\d{17,20})>/g)) {
    const c = guild.channels.cache.get(id!);
    if (c && !channels[id!]) channels[id!] = c.name;
  }
  for (const [, id] of message.content.matchAll(/<@&(\d{17,20})>/g)) {
    const r = guild.roles.cache.get(id!);
    if (r && !roles[id!]) roles[id!] = r.name;
  }
  const repliedUser = message.type === MessageType.Reply ? message.mentions.repliedUser : null;
  return {
    id: message.id,
    guildId: guild.id,
    channelId: message.channelId,
    authorId: message.author.id,
    authorDisplayName: member?.displayName ?? message.author.displayName,
    authorIsBot: message.author.bot,
    webhook: message.webhookId !== null,
    system: message.system || !USER_TYPES.has(message.type),
    silent: message.flags.has(MessageFlags.SuppressNotifications),
    authorVoiceChannelId: guild.voiceStates.cache.get(message.author.id)?.channelId ?? null,
    authorRoleIds: member ? [...member.roles.cache.keys()] : [],
    content: message.content,
    mentions: { users, roles, channels },
    replyToName: repliedUser ? nameOf(repliedUser.id, repliedUser.displayName) : undefined,
    attachments: [...message.attachments.values()].map((a) => ({ name: a.name, contentType: a.contentType ?? undefined })),
    stickers: [...message.stickers.values()].map((s) => s.name),
    poll: message.poll ? { question: message.poll.question.text ?? '' } : undefined,
    forwarded: message.reference?.type === MessageReferenceType.Forward,
    embedsOnly: message.content.trim() === '' && message.embeds.length > 0,
    voiceMessage: message.flags.has(MessageFlags.IsVoiceMessage)
      ? { durationSecs: message.attachments.first()?.duration ?? null }
      : undefined,
  };
}
