import { errors } from './discordErrors.js';
import type { RestRequest, RestRouter } from './restRouter.js';
import type { RouteContext } from './routeContext.js';

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
    router.add('GET', base, (req) => ({ status: 200, body: ctx.registry.list(scope(req)) }));
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
