import { PermissionFlagsBits, type APIApplication, type ApplicationFlags } from 'discord-api-types/v10';
import { errors } from './discordErrors.js';
import { apiChannel, apiGuild, apiMember, apiRole, apiUser } from './apiObjects.js';
import { PRIVILEGED_INTENTS } from './gateway.js';
import { has } from './permissions.js';
import type { GuildRecord } from './guildState.js';
import type { RestRequest, RestRouter } from './restRouter.js';
import type { RouteContext } from './routeContext.js';

/** The application flags that say which privileged intents are enabled (GATEWAY_*_LIMITED bits). */
export function applicationFlags(allowedPrivilegedIntents: number): number {
  let flags = 0;
  if (allowedPrivilegedIntents & 256) flags |= 1 << 13; // GATEWAY_PRESENCE_LIMITED
  if (allowedPrivilegedIntents & 2) flags |= 1 << 15; // GATEWAY_GUILD_MEMBERS_LIMITED
  if (allowedPrivilegedIntents & 32768) flags |= 1 << 19; // GATEWAY_MESSAGE_CONTENT_LIMITED
  return flags;
}

/** Gateway discovery, the bot's own user and application, and read-only guild, channel and user routes. */
export function registerInfoRoutes(router: RestRouter, ctx: RouteContext): void {
  const guildOf = (req: RestRequest): GuildRecord => {
    const guild = ctx.state.guilds.get(req.params.guild!);
    if (!guild?.members.has(ctx.state.botUser.id)) throw errors.unknownGuild();
    return guild;
  };

  router.add('GET', '/gateway', () => ({ status: 200, body: { url: ctx.gatewayUrl() } }), { auth: false });
  router.add('GET', '/gateway/bot', () => ({
    status: 200,
    body: {
      url: ctx.gatewayUrl(),
      shards: ctx.recommendedShards(),
      session_start_limit: ctx.gateway.sessionStartLimit(),
    },
  }));
  router.add('GET', '/users/@me', () => ({ status: 200, body: apiUser(ctx.state.botUser) }));
  router.add('GET', '/users/:user', (req) => {
    const user = ctx.state.users.get(req.params.user!);
    if (!user) throw errors.unknownUser();
    return { status: 200, body: apiUser(user) };
  });
  router.add('GET', '/applications/@me', () => {
    const application: Partial<APIApplication> = {
      id: ctx.applicationId,
      name: ctx.state.botUser.username,
      icon: null,
      description: '',
      bot_public: true,
      bot_require_code_grant: false,
      verify_key: '0'.repeat(64),
      flags: applicationFlags(ctx.allowedPrivilegedIntents) as ApplicationFlags,
      team: null,
      bot: apiUser(ctx.state.botUser),
      approximate_guild_count: ctx.state.guilds.size,
    };
    return { status: 200, body: application };
  });
  router.add('GET', '/guilds/:guild', (req) => ({ status: 200, body: apiGuild(guildOf(req)) }));
  router.add('GET', '/guilds/:guild/channels', (req) => {
    const guild = guildOf(req);
    const visible = [...guild.channels.values()].filter((c) => has(ctx.state.permissions(guild, ctx.state.botUser.id, c), PermissionFlagsBits.ViewChannel));
    return { status: 200, body: visible.map(apiChannel) };
  });
  router.add('GET', '/guilds/:guild/roles', (req) => ({ status: 200, body: [...guildOf(req).roles.values()].map(apiRole) }));
  router.add('GET', '/guilds/:guild/members/:user', (req) => {
    const guild = guildOf(req);
    const member = guild.members.get(req.params.user!);
    if (!member) throw errors.unknownMember();
    return { status: 200, body: apiMember(ctx.state, member) };
  });
  router.add('GET', '/guilds/:guild/members', (req) => {
    const guild = guildOf(req);
    // Listing members needs the privileged GUILD_MEMBERS intent enabled for the app.
    if ((ctx.allowedPrivilegedIntents & PRIVILEGED_INTENTS & 2) === 0) throw errors.missingAccess();
    const limit = Math.min(Math.max(Number(req.query.get('limit') ?? 1), 1), 1000);
    const after = req.query.get('after') ?? '0';
    const members = [...guild.members.values()]
      .filter((m) => BigInt(m.userId) > BigInt(after))
      .sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1))
      .slice(0, limit);
    return { status: 200, body: members.map((m) => apiMember(ctx.state, m)) };
  });
  router.add('GET', '/channels/:channel', (req) => {
    const found = ctx.state.findChannel(req.params.channel!);
    if (!found) throw errors.unknownChannel();
    if (!has(ctx.state.permissions(found.guild, ctx.state.botUser.id, found.channel), PermissionFlagsBits.ViewChannel)) throw errors.missingAccess();
    return { status: 200, body: apiChannel(found.channel) };
  });
}
