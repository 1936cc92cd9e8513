import { errors } from './discordErrors.js';
import type { RestRequest, RestRouter } from './restRouter.js';
import type { RouteContext } from './routeContext.js';

/**
 * Without `with_localizations=true`, Discord's GET leaves out the localization dictionaries (it sends
 * name_localized / description_localized for the caller's locale instead; a bot token has none).
 */
function withoutLocalizations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLocalizations);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'name_localizations' && k !== 'description_localizations') out[k] = withoutLocalizations(v);
  return out;
}

const shown = (req: RestRequest, body: unknown) => (req.query.get('with_localizations') === 'true' ? body : withoutLocalizations(body));

/** Application command routes: global and guild lists, bulk overwrite, single create/get/edit/delete. */
export function registerCommandRoutes(router: RestRouter, ctx: RouteContext): void {
  const scope = (req: RestRequest): string | undefined => {
    if (req.params.app !== ctx.applicationId) throw errors.missingAccess();
    const guildId = req.params.guild;
    if (guildId === undefined) return undefined;
    const guild = ctx.state.guilds.get(guildId);
    if (!guild?.members.has(ctx.state.botUser.id)) throw errors.missingAccess();
    return guildId;
  };
  for (const base of ['/applications/:app/commands', '/applications/:app/guilds/:guild/commands']) {
    router.add('GET', base, (req) => ({ status: 200, body: shown(req, ctx.registry.list(scope(req))) }));
    router.add('PUT', base, (req) => ({ status: 200, body: ctx.registry.bulkOverwrite(scope(req), req.body.json) }));
    router.add('POST', base, (req) => {
      const { command, created } = ctx.registry.create(scope(req), req.body.json);
      return { status: created ? 201 : 200, body: command };
    });
    router.add('GET', `${base}/:command`, (req) => {
      const command = ctx.registry.list(scope(req)).find((c) => c.id === req.params.command);
      if (!command) throw errors.unknownApplicationCommand();
      return { status: 200, body: command };
    });
    router.add('PATCH', `${base}/:command`, (req) => ({
      status: 200,
      body: ctx.registry.edit(scope(req), req.params.command!, req.body.json),
    }));
    router.add('DELETE', `${base}/:command`, (req) => {
      ctx.registry.delete(scope(req), req.params.command!);
      return { status: 204 };
    });
  }
}
