/**
 * # Local Discord stand-in (REST + gateway)
 *
 * An in-process fake of Discord's REST API v10 and gateway v10 (JSON, no compression) on one
 * 127.0.0.1 port, faithful enough to run the real discord.js 14 client against it.
 *
 * ```ts
 * const discord = await startDiscordStandin({ voiceEndpoint: () => `127.0.0.1:${voice.port}` });
 * const guild = discord.addGuild({
 *   name: 'Test', ownerUsername: 'alice',
 *   channels: [{ name: 'general', type: 'text' }, { name: 'Lounge', type: 'voice', userLimit: 5 }],
 *   members: [{ username: 'alice' }, { username: 'bob', roles: ['DJ'] }],
 *   roles: [{ name: 'DJ', permissions: PermissionFlagsBits.Connect }],
 * });
 * const client = new Client({ intents: [...], rest: { api: discord.apiBase } }); // or DISCORD_API_URL=discord.apiBase
 * await client.login(discord.token); await discord.waitForReady();
 * const speak = discord.interact({ guildId: guild.id, channelId: guild.channel('general').id,
 *   userId: guild.member('alice').id, command: 'speak', options: { text: 'hi' } });
 * await speak.waitFor((h) => h.message()?.attachments.length === 1);
 * expect(discord.unhandled).toEqual([]);
 * await discord.close();
 * ```
 *
 * ## Scenario API (DiscordStandin)
 * - `apiBase` (`http://127.0.0.1:PORT/api`), `origin`, `gatewayUrl`, `token`, `applicationId`, `botUser` (id = application id).
 * - `addGuild(spec)` → GuildHandle `{ id, name, channel(name).id, member(username).id, role(name).id }`. Ids are
 *   snowflakes unless given. The bot is always a member with a managed role holding `botPermissions`
 *   (default: view, send, embed, attach, history, react, connect, speak, VAD, app commands, voice messages).
 *   Channel `permissionOverwrites: [{ role: 'DJ' | '@everyone', allow, deny } | { member: 'bob', ... }]`.
 *   Works before or after the bot connects (GUILD_CREATE is sent either way).
 * - `addMember(guildId, spec)` / `removeMember(guildId, user)` → GUILD_MEMBER_ADD / GUILD_MEMBER_REMOVE.
 * - Sharding (Discord's rules): `GET /gateway/bot` gives `shards` (option `recommendedShards`, else one per 1,000
 *   guilds) and `session_start_limit` (total, remaining, reset_after, max_concurrency: options `sessionStartTotal`,
 *   `maxConcurrency`). Identify `shard: [id, count]` (none = [0, 1]); a bad shard closes 4010, a session that would
 *   hold more than `maxGuildsPerSession` (2,500) guilds closes 4011; a rate-limit key (`id % max_concurrency`) that
 *   identified less than `identifyWindowMs` (5 s) ago gets op 9 d=false (`identifyRateLimited`). Every guild's
 *   READY entry, GUILD_CREATE, events, interactions and op 4 answers go only to the session of shard
 *   `(guild_id >> 22) % count`; op 4 from another shard's session is ignored (outcome `wrong-shard`).
 *   `waitForShards(count)`, `readyShards(count)`, `shardOf(guildId, count)`.
 * - `waitForReady(timeoutMs?)`: a connected session got READY and all GUILD_CREATEs. `connected`, `identifies`
 *   (intents per Identify), `requestReconnect()` (op 7), `dropGateway(code?)`, `cutGateway()` (no close frame: 1006),
 *   `invalidateSession(resumable)` (op 9), `resumeAttempts`.
 * - Faults: `failRest({ method?, path: RegExp, status, retryAfterS?, times? })` answers the next matching REST
 *   request(s) with 429 (Discord's body `{ message, retry_after, global }` and Retry-After / X-RateLimit-* headers,
 *   scope user) or a 5xx; `restFaultsApplied`. `removeGuild(id)` → GUILD_DELETE without `unavailable` (bot removed
 *   or guild deleted). `deleteChannel(guild, channel)` → everyone in it disconnected, then CHANNEL_DELETE.
 *   `setChannelOverwrite(guild, channel, { member | role, allow?, deny? })` → CHANNEL_UPDATE (nobody is kicked).
 * - `commands(guildId?)`: registered commands (global without a guild id).
 * - `interact({ guildId, channelId, userId, command, subcommandGroup?, subcommand?, options?, attachmentSizeLimit?, locale?, ackDeadlineMs?, callbackDelayMs? })`
 *   → InteractionHandle. Built ONLY from the registered definition: unknown command/option, wrong value
 *   type, value outside choices/min/max, a missing required option, or a member without the command's
 *   `default_member_permissions` (or a command whose `contexts` exclude guilds) throws here. User/channel/role
 *   options take ids or names and are `resolved`. Channel and user arguments accept names too.
 * - `autocomplete({ ...same, focused })` → Promise of the choices the bot answered (type 8).
 * - `messageCommand({ guildId, channelId, userId, command: 'Read aloud', targetMessageId })`,
 *   `userCommand({ ..., targetUserId })`, `clickComponent({ messageId, userId, customId, values? })`,
 *   `submitModal(handleThatOpenedIt, { inputCustomId: 'text' })` → InteractionHandle.
 * - InteractionHandle: `id`, `token`, `createdAt`, `payload` (the INTERACTION_CREATE data), `events`
 *   (`{ kind: 'callback'|'edit'|'followup'|'delete', at, type?, body, files: [{ name, contentType, data }],
 *   flags, allowedMentions?, status, error?, messageId? }`, failed requests included), `waitFor(pred, ms=10000)`,
 *   `waitForEvent(pred, ms)`, `message()` (current original response: content, embeds, components,
 *   attachments with bytes, flags; undefined if none/deleted), `followups()`, `ephemeral`,
 *   `acknowledged`, `modal`, `autocompleteChoices`.
 * - Voice: `setVoiceState(guildId, user, channel | null, { selfMute?, selfDeaf? }?)`, `botVoiceChannel(guildId)`,
 *   `waitForBotVoice(guildId, channelId | null)`, `botVoiceOps` (every op 4 with `outcome`),
 *   `voiceServerUpdates`, `currentVoiceGrant(guildId)` (token + session id + user id the voice server
 *   should accept), `onBotVoiceChange(listener)`, `disconnectBot(guildId)`, `moveBot(guildId, channel)`.
 * - Attachments are served by the CDN route (cdnRoutes.ts) only at the signed URL of the message object
 *   (`?ex=&is=&hm=`; unsigned or expired → 404); `attachmentDownloads` lists every download asked.
 * - Messages: `postMessage({ guildId?, channelId, authorId, content?, embeds?, attachments?, flags?, nitro?, replyTo? })`
 *   (a voice message: `flags: 8192` and one audio attachment with `durationSecs` and `waveform`; `nitro`: 500 MiB uploads),
 *   `editMessage(...)`, `deleteMessage(...)`, `addReaction(...)`, `channelMessages(channelId)`,
 *   `message(id)`, `reactions(channelId, messageId)`. Attachments are served at their `url`.
 * - `sentMessages`: every message payload the bot sent (interaction responses with a message, edits, follow-ups,
 *   channel messages and edits; refused ones too) with kind, path, body and status; `payloadsThatCouldPing()`: those
 *   whose `allowed_mentions` is missing or allows anything (expect []; see sentPayloads.ts for the rule).
 * - `unhandled`: requests the stand-in could not serve (unknown routes, unsupported gateway features);
 *   assert it stays empty. `waitUntil(check, ms)`, `interactions()`, `close()`.
 *
 * ## Discord behaviour reproduced
 * - REST auth: `Authorization: Bot <token>` on everything except interaction callbacks and
 *   interaction webhooks (401 `{ code: 0, message: '401: Unauthorized' }`).
 * - Command registration validated like Discord (names, lengths, ≤ 25 options/choices, required
 *   before optional, subcommand nesting, min/max types, context-menu rules, unique names) →
 *   400 `{ code: 50035, message: 'Invalid Form Body', errors }`; ids survive bulk overwrites.
 * - Interactions: ack deadline (default 3000 ms) → 404 10062; second initial response → 400 40060;
 *   content > 2000 → 50035; file over `attachment_size_limit` → 413 40005; empty message → 50006;
 *   voice messages (flag 8192) need exactly one audio file with `duration_secs` + `waveform` and no
 *   content (50159/50160/50161) and cannot be edited (50162) — except that a response deferred with
 *   IS_VOICE_MESSAGE gets its audio in the first edit of @original; `?with_response=true` → 200
 *   `{ interaction, resource: { type, message } }`, else 204. Webhook token lives 15 min (401 50027 after);
 *   webhook calls before any acknowledgement → 404 10015. Non-ephemeral responses also appear in the
 *   channel (MESSAGE_CREATE/UPDATE/DELETE to the bot, author = bot, `webhook_id` = application id).
 *   A follow-up after a deferral is a separate message: the "thinking…" original stays until edited.
 * - Mentions: `<@id>`, `<@!id>`, `<@&id>`, @everyone/@here are parsed unless `allowed_mentions` forbids them; an edit
 *   of the content rebuilds them from the edit's own `allowed_mentions`, or with the defaults when it has none.
 * - Gateway: Hello → Identify (token, intents; privileged intents must be allowed, else 4014) →
 *   READY (guilds unavailable) → GUILD_CREATE per guild (only with GUILDS; `members` lists everyone
 *   only with GUILD_PRESENCES, otherwise the bot and members in voice, as Discord does). Dispatches are
 *   filtered by intent; MESSAGE_CREATE content is blanked without MESSAGE_CONTENT unless the bot is
 *   mentioned or wrote it. op 6 Resume `{ token, session_id, seq }` on a new socket (or after op 9 d=true)
 *   re-attaches the session, replays every dispatch after `seq` (also those sent while no socket was open) and then
 *   sends RESUMED; an unknown or ended session (closed with 1000/1001, 4004, 4010–4014, op 9 d=false, or replaced by
 *   a new Identify) gets op 9 d=false. A new Identify clears the bot's stale voice states. Close codes: bad token 4004, payload before
 *   Identify 4003, second Identify 4005, bad JSON 4002, unknown op 4001, > 120 payloads/minute 4008.
 * - Voice: op 4 → VOICE_STATE_UPDATE (session_id = gateway session) + VOICE_SERVER_UPDATE
 *   `{ token, guild_id, endpoint }` when joining, moving or repeating the same join (reconnect);
 *   only self_mute/self_deaf changes → state only; no Connect/View permission or a full channel
 *   (without Manage Channels) → no events at all; channel null → VOICE_STATE_UPDATE channel null.
 */
import { DiscordStandin, type DiscordStandinOptions } from './standin.js';

export { DiscordStandin } from './standin.js';
export type { DiscordStandinOptions, GuildHandle, PostMessageInput, ChannelMessage } from './standin.js';
export type { InteractionHandle, InteractionEvent, VisibleMessage, RecordedFile } from './interactions.js';
export type { CommandInvocation, AutocompleteInvocation, MessageCommandInvocation, UserCommandInvocation } from './interactionBuilder.js';
export type { GuildSpec, ChannelSpec, MemberSpec, RoleSpec, OverwriteSpec } from './guildState.js';
export type { BotVoiceOp, BotVoiceChange, VoiceGrant, VoiceServerUpdate } from './voiceStates.js';
export type { UnhandledRequest } from './httpServer.js';
export type { SentPayload, SentPayloadKind } from './sentPayloads.js';
export { allowsNoMentions } from './sentPayloads.js';
export type { IdentifyRecord } from './gateway.js';
export { DEFAULT_BOT_PERMISSIONS, DEFAULT_EVERYONE_PERMISSIONS } from './permissions.js';

/** Starts a Discord stand-in on 127.0.0.1 (ephemeral port). Call `close()` when done. */
export async function startDiscordStandin(options: DiscordStandinOptions = {}): Promise<DiscordStandin> {
  return new DiscordStandin(options).start();
}
