import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';

/** One condition of readiness: its name, and whether it holds now. */
export interface ReadinessCheck {
  name: string;
  ready(): boolean;
}

/** The running operations server. */
export interface OpsServer {
  /** The port it listens on (useful when started on port 0). */
  port: number;
  close(): Promise<void>;
}

/** How often the event loop proves it is responsive, and how stale that proof may be before /healthz fails. */
const HEARTBEAT_MS = 1_000;
const HEARTBEAT_STALE_MS = 10_000;

/**
 * The operations HTTP server: GET /healthz (process alive, event loop responsive), GET /readyz (every check holds;
 * otherwise 503 naming those that do not), GET /metrics (Prometheus text from the registry).
 */
export async function startOpsServer(options: {
  host: string;
  port: number;
  registry: Registry;
  checks: readonly ReadinessCheck[];
  logger: Logger;
  now?: () => number;
}): Promise<OpsServer> {
  const now = options.now ?? (() => performance.now());
  const log = options.logger.child({ module: 'ops-http' });
  let beat = now();
  const heartbeat = setInterval(() => {
    beat = now();
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const json = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://ops').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      const staleMs = now() - beat;
      json(res, staleMs < HEARTBEAT_STALE_MS ? 200 : 503, { status: staleMs < HEARTBEAT_STALE_MS ? 'alive' : 'event loop stalled' });
    } else if (path === '/readyz') {
      const notReady = options.checks.filter((c) => !c.ready()).map((c) => c.name);
      json(res, notReady.length === 0 ? 200 : 503, notReady.length === 0 ? { ready: true } : { ready: false, notReady });
    } else if (path === '/metrics') {
      const text = await options.registry.metrics();
      res.writeHead(200, { 'content-type': options.registry.contentType });
      res.end(text);
    } else {
      json(res, 404, { error: 'not found', routes: ['/healthz', '/readyz', '/metrics'] });
    }
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'ops request failed');
      if (!res.headersSent) json(res, 500, { error: 'internal' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ host: options.host, port }, 'operations server listening (/healthz, /readyz, /metrics)');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(heartbeat);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
