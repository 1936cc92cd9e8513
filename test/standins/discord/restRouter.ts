import type { IncomingHttpHeaders } from 'node:http';
import type { ParsedBody } from './requestBody.js';

/** A request as route handlers see it; `path` is relative to /api/v10. */
export interface RestRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: ParsedBody;
}

/** What a handler answers: HTTP status and optional JSON body. */
export interface RestAnswer {
  status: number;
  body?: unknown;
}

/** A route handler; throw DiscordHttpError for Discord-style errors. */
export type RestHandler = (req: RestRequest) => RestAnswer | Promise<RestAnswer>;

interface Route {
  method: string;
  segments: string[];
  auth: boolean;
  handler: RestHandler;
}

/** The result of matching a method and path. */
export type RouteMatch =
  | { kind: 'found'; handler: RestHandler; auth: boolean; params: Record<string, string> }
  | { kind: 'wrong-method' }
  | { kind: 'none' };

/** Matches `/channels/:channelId/messages`-style patterns; `:name` segments become URL-decoded params. */
export class RestRouter {
  readonly #routes: Route[] = [];

  /** Adds a route; `auth: false` for routes Discord serves without a bot token (interaction callbacks, webhooks). */
  add(method: string, pattern: string, handler: RestHandler, options: { auth?: boolean } = {}): void {
    this.#routes.push({ method, segments: pattern.split('/').filter(Boolean), auth: options.auth ?? true, handler });
  }

  /** Finds the route for a request. */
  match(method: string, path: string): RouteMatch {
    const segments = path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method !== method) {
        pathMatched = true;
        continue;
      }
      return { kind: 'found', handler: route.handler, auth: route.auth, params };
    }
    return pathMatched ? { kind: 'wrong-method' } : { kind: 'none' };
  }
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const got = actual[i]!;
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(got);
      } catch {
        return undefined;
      }
    } else if (expected !== got) {
      return undefined;
    }
  }
  return params;
}
