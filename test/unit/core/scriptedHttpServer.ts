/**
 * A loopback HTTP server for speech-client tests: each request is answered by the next scripted handler.
 *
 * Scenario API:
 *   const server = await startScriptedServer();          // 127.0.0.1, ephemeral port
 *   server.script(reply(429, '{}', { 'retry-after': '0.1' }), reply(200, Buffer.from('ok')));
 *   ... point the client at server.baseUrl (".../v1") ...
 *   server.requests[0].headers / .body / .receivedAt / .closed (resolves when the socket closed)
 *   await server.close();
 * Requests beyond the script get a 599 so over-retrying shows up as a failure.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the body had been read. */
  receivedAt: number;
  /** Resolves when the connection of this request closed. */
  closed: Promise<void>;
}

/** Answers one request; it may keep the response open as long as it likes. */
export type Handler = (req: IncomingMessage, res: ServerResponse, recorded: RecordedRequest) => void | Promise<void>;

/** A running scripted server. */
export interface ScriptedServer {
  /** `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  port: number;
  requests: RecordedRequest[];
  /** Appends handlers, used one per request in order. */
  script(...handlers: Handler[]): void;
  /** Resolves when the n-th request (1-based) has arrived. */
  waitForRequest(n: number): Promise<RecordedRequest>;
  /** Closes every connection and the server. */
  close(): Promise<void>;
}

/** A handler that sends a whole answer at once. */
export function reply(status: number, body: string | Buffer = '', headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
}

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startScriptedServer(): Promise<ScriptedServer> {
  const handlers: Handler[] = [];
  const requests: RecordedRequest[] = [];
  const waiters: Array<{ n: number; resolve: (r: RecordedRequest) => void }> = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((resolve) => req.socket.once('close', () => resolve()));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: performance.now(),
        closed,
      };
      requests.push(recorded);
      for (const w of waiters.filter((w) => w.n <= requests.length)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(requests[w.n - 1]!);
      }
      const handler = handlers.shift() ?? reply(599, 'unscripted request');
      void Promise.resolve(handler(req, res, recorded)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    script: (...more) => void handlers.push(...more),
    waitForRequest: (n) =>
      requests.length >= n ? Promise.resolve(requests[n - 1]!) : new Promise((resolve) => waiters.push({ n, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
