import type { RestRouter } from './restRouter.js';
import type { RouteContext } from './routeContext.js';

/** Interaction callback and interaction webhook routes (no bot token, as on Discord). */
export function registerInteractionRoutes(router: RestRouter, ctx: RouteContext): void {
  const open = { auth: false };
  router.add(
    'POST',
    '/interactions/:id/:token/callback',
    async (req) => {
      const delayMs = ctx.interactions.callbackDelayMs(req.params.id!);
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return ctx.interactions.callback(req.params.id!, req.params.token!, req.query.get('with_response'), req.body);
    },
    open,
  );
  router.add('POST', '/webhooks/:app/:token', (req) =>
    ctx.interactions.followup(req.params.app!, req.params.token!, req.query.get('wait') === 'true', req.body), open);
  router.add('GET', '/webhooks/:app/:token/messages/:message', (req) =>
    ctx.interactions.getMessage(req.params.app!, req.params.token!, req.params.message!), open);
  router.add('PATCH', '/webhooks/:app/:token/messages/:message', (req) =>
    ctx.interactions.editMessage(req.params.app!, req.params.token!, req.params.message!, req.body), open);
  router.add('DELETE', '/webhooks/:app/:token/messages/:message', (req) =>
    ctx.interactions.deleteMessage(req.params.app!, req.params.token!, req.params.message!), open);
}
