import { Client, GatewayIntentBits, Options, Partials } from 'discord.js';

/** Settings the Discord client needs. */
export interface DiscordClientOptions {
  apiUrl: string;
  /** Message Content is privileged: ask for it only when a feature needs message text. */
  messageContent?: boolean;
  /** The shards this process runs (from the sharding manager); none: shard 0 of 1. */
  shards?: { ids: number[]; count: number };
}

/** Creates the discord.js client: least intents, no pings unless a reply opts in, REST base from config. */
export function createDiscordClient(options: DiscordClientOptions): Client {
  const intents = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates];
  if (options.messageContent) intents.push(GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent);
  return new Client({
    intents,
    // Message partials: deletions and edits of messages the cache has never seen still arrive (to drop pending reads).
    partials: [Partials.GuildMember, Partials.Message],
    rest: { api: options.apiUrl },
    // Always explicit, so discord.js never reads an operator's SHARDS/SHARD_COUNT (meant for the manager) from the environment.
    shards: options.shards?.ids ?? [0],
    shardCount: options.shards?.count ?? 1,
    allowedMentions: { parse: [], repliedUser: false },
    // Cache only what the bot reads: guilds, channels, roles, voice states, the members Discord sends (the bot and those
    // in voice; no GuildMembers intent) and their users. Messages arrive whole in their events (edits and deletes of
    // unknown ones as partials), so none are kept; emoji, stickers, presences, reactions, threads' members, bans,
    // invites, events and commands are never looked up. Memory then grows with voice activity, not with chat.
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      MessageManager: 0,
      GuildMessageManager: 0,
      DMMessageManager: 0,
      ApplicationCommandManager: 0,
      ApplicationEmojiManager: 0,
      AutoModerationRuleManager: 0,
      BaseGuildEmojiManager: 0,
      GuildEmojiManager: 0,
      GuildStickerManager: 0,
      EntitlementManager: 0,
      GuildBanManager: 0,
      GuildInviteManager: 0,
      GuildScheduledEventManager: 0,
      PresenceManager: 0,
      ReactionManager: 0,
      ReactionUserManager: 0,
      StageInstanceManager: 0,
      ThreadMemberManager: 0,
    }),
  });
}
