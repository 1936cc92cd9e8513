import { WebSocket } from 'ws';
import type { DiscordStandin } from '../../standins/discord/index.js';

/** A bare gateway connection that records every payload. */
export class RawGateway {
  readonly received: any[] = [];
  readonly socket: WebSocket;
  closeCode: number | undefined;

  constructor(url: string) {
    this.socket = new WebSocket(`${url}?v=10&encoding=json`);
    this.socket.on('message', (data) => this.received.push(JSON.parse(data.toString())));
    this.socket.on('close', (code) => {
      this.closeCode = code;
    });
  }

  send(op: number, d: unknown): void {
    this.socket.send(JSON.stringify({ op, d }));
  }

  async next(pred: (p: any) => boolean, timeoutMs = 3000): Promise<any> {
    const start = Date.now();
    for (;;) {
      const found = this.received.find(pred);
      if (found) return found;
      if (Date.now() - start > timeoutMs) throw new Error(`no matching payload; got ${JSON.stringify(this.received.map((p) => p.t ?? p.op))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async closed(timeoutMs = 3000): Promise<number> {
    const start = Date.now();
    while (this.closeCode === undefined) {
      if (Date.now() - start > timeoutMs) throw new Error('socket did not close');
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.closeCode;
  }

  dispatches(t: string): any[] {
    return this.received.filter((p) => p.t === t).map((p) => p.d);
  }
}

/** Opens a raw gateway connection and sends Identify (with `shard` when given). */
export async function identify(discord: DiscordStandin, intents: number, token = discord.token, shard?: [number, number]): Promise<RawGateway> {
  const gw = new RawGateway(discord.gatewayUrl);
  await gw.next((p) => p.op === 10);
  gw.send(2, { token, intents, properties: { os: 'linux', browser: 'test', device: 'test' }, ...(shard ? { shard } : {}) });
  return gw;
}
