import type { AttachmentCdn } from './cdnRoutes.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { DiscordHttpError, errors } from './discordErrors.js';
import { parseBody, readRaw } from './requestBody.js';
import type { RestRouter } from './restRouter.js';
import type { Gateway } from './gateway.js';
import type { MessageStore } from './messageStore.js';

/** A request the stand-in could not serve (unknown route, wrong method, unexpected failure). */
export interface UnhandledRequest {
  method: string;
  path: string;
  reason?: string;
}

/**
 * A REST fault to inject: the next `times` requests matching `method` and `path` are answered with `status` instead of
 * being served. 429 comes as Discord sends it: `{ message, retry_after, global }` with Retry-After and X-RateLimit-*
 * headers (scope `user`); 5xx with Discord's plain JSON error body.
 */
export interface RestFault {
  method?: string;
  /** Matched against the path under /api/v10 (e.g. /^\/webhooks\//). */
  path: RegExp;
  status: number;
  /** Seconds, for 429 (default 0.3). */
  retryAfterS?: number;
  /** How many matching requests fail (default 1). */
  times?: number;
}

/** A fault that was applied to a request. */
export interface AppliedRestFault {
  at: number;
  method: string;
  path: string;
  status: number;
}

/** What the HTTP server dispatches to. */
export interface HttpServerDeps {
  token: string;
  router: RestRouter;
  gateway: Gateway;
  store: MessageStore;
  /** Serves attachment downloads (signed URLs only). */
  cdn: AttachmentCdn;
  unhandled: UnhandledRequest[];
  /** Called after every REST request (so waiters re-check state). */
  onRequest(): void;
  /** Pending injected faults (consumed in order) and the ones applied. */
  faults?: { pending: Array<RestFault & { left: number }>; applied: AppliedRestFault[] };
}

/** The stand-in's single 127.0.0.1 port: REST under /api/v10, the gateway WebSocket at /gateway, files at /attachments. */
export class StandinHttpServer {
  readonly #server: Server;
  readonly #wss = new WebSocketServer({ noServer: true });

  constructor(private readonly deps: HttpServerDeps) {
    this.#server = createServer((req, res) => void this.handle(req, res));
    this.#server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path !== '/gateway' && path !== '/gateway/') {
        this.unhandled({ method: 'UPGRADE', path, reason: 'not the gateway path' });
        socket.destroy();
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.deps.gateway.accept(ws, req));
    });
  }

  /** Listens on 127.0.0.1 with an ephemeral port and returns it. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    return (this.#server.address() as AddressInfo).port;
  }

  /** Closes gateway sockets, keep-alive connections and the listener. */
  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  private unhandled(entry: UnhandledRequest): void {
    this.deps.unhandled.push(entry);
    console.warn(`[discord stand-in] unhandled ${entry.method} ${entry.path}${entry.reason ? ` (${entry.reason})` : ''}`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      const raw = await readRaw(req);
      if (method === 'GET' && url.pathname.startsWith('/attachments/')) {
        this.deps.cdn.serve(url, res);
        return;
      }
      const prefix = '/api/v10';
      if (!url.pathname.startsWith(`${prefix}/`)) {
        this.unhandled({ method, path: url.pathname, reason: 'outside /api/v10' });
        throw errors.notFound();
      }
      const path = url.pathname.slice(prefix.length);
      const match = this.deps.router.match(method, path);
      if (match.kind !== 'found') {
        this.unhandled({ method, path, reason: match.kind === 'wrong-method' ? 'method not allowed' : 'no such route' });
        throw match.kind === 'wrong-method' ? errors.methodNotAllowed() : errors.notFound();
      }
      if (match.auth && req.headers.authorization !== `Bot ${this.deps.token}`) throw errors.unauthorized();
      if (this.injectFault(method, path, res)) return;
      const body = await parseBody(req.headers['content-type'], raw);
      const answer = await match.handler({ method, path, params: match.params, query: url.searchParams, headers: req.headers, body });
      this.send(res, answer.status, answer.body);
    } catch (error) {
      if (error instanceof DiscordHttpError) {
        this.send(res, error.status, error.body());
      } else {
        this.unhandled({ method, path: url.pathname, reason: `stand-in failure: ${(error as Error).stack ?? String(error)}` });
        // 400 rather than 500: @discordjs/rest retries 5xx, which would only repeat the failure.
        this.send(res, 400, { code: 0, message: `stand-in failure: ${(error as Error).message}` });
      }
    } finally {
      this.deps.onRequest();
    }
  }

  /** Answers with the first pending fault matching the request, if any. */
  private injectFault(method: string, path: string, res: ServerResponse): boolean {
    const faults = this.deps.faults;
    const fault = faults?.pending.find((f) => (f.method === undefined || f.method === method) && f.path.test(path));
    if (!faults || !fault) return false;
    fault.left -= 1;
    if (fault.left <= 0) faults.pending.splice(faults.pending.indexOf(fault), 1);
    faults.applied.push({ at: Date.now(), method, path, status: fault.status });
    if (fault.status === 429) {
      const retryAfter = fault.retryAfterS ?? 0.3;
      const json = JSON.stringify({ message: 'You are being rate limited.', retry_after: retryAfter, global: false });
      res
        .writeHead(429, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(json),
          'retry-after': String(Math.ceil(retryAfter)),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String((Date.now() / 1000 + retryAfter).toFixed(3)),
          'x-ratelimit-reset-after': retryAfter.toFixed(3),
          'x-ratelimit-bucket': 'standin-fault',
          'x-ratelimit-scope': 'user',
        })
        .end(json);
    } else {
      this.send(res, fault.status, { message: `${fault.status}: injected by the test`, code: 0 });
    }
    return true;
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (status === 204 || body === undefined) {
      res.writeHead(status).end();
      return;
    }
    const json = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
  }
}
