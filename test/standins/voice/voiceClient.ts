/**
 * Test harness: runs the real @discordjs/voice in a child process (Node 22 from node_modules/.bin, TypeScript via tsx)
 * with `NODE_EXTRA_CA_CERTS=<caFile>`, so the library trusts the stand-in exactly the way the bot process will.
 * Commands and events are JSON lines; see `voiceClientProtocol.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ChildCommand, ChildEvent } from './voiceClientProtocol.js';

export type { ChildCommand, ChildEvent } from './voiceClientProtocol.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const childScript = fileURLToPath(new URL('./voiceClientChild.ts', import.meta.url));

/** A running child process with @discordjs/voice in it. */
export class VoiceClient {
  /** Every event the child reported, in order. */
  readonly events: ChildEvent[] = [];
  private stderr = '';
  private exited: { code: number | null } | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly exitPromise: Promise<unknown>;

  private constructor(private readonly child: ChildProcess) {
    this.exitPromise = once(child, 'exit');
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as ChildEvent);
      } catch {
        this.stderr += `[stdout] ${line}\n`;
      }
      this.notify();
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    child.on('exit', (code) => {
      this.exited = { code };
      this.notify();
    });
  }

  /** Starts the child and waits until it reports it is ready for commands. */
  static async start(opts: { caFile: string; timeoutMs?: number }): Promise<VoiceClient> {
    const localNode = `${repoRoot}node_modules/.bin/node`;
    const child = spawn(existsSync(localNode) ? localNode : process.execPath, ['--import', 'tsx', childScript], {
      cwd: repoRoot,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: opts.caFile },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const client = new VoiceClient(child);
    await client.waitFor((e) => e.event === 'started', opts.timeoutMs ?? 15_000, 'child start');
    return client;
  }

  /** Everything the child wrote to stderr so far (warnings, crashes). */
  get errorOutput(): string {
    return this.stderr;
  }

  /** Sends one command. */
  send(cmd: ChildCommand): void {
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
  }

  /** Resolves with the first event at index ≥ `since` matching `match`; rejects on timeout or child exit. */
  waitFor(match: (e: ChildEvent) => boolean, timeoutMs: number, what: string, since = 0): Promise<ChildEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.slice(since).find(match);
        if (found) {
          done();
          resolve(found);
          return true;
        }
        if (this.exited) {
          done();
          reject(new Error(`voice client exited (${this.exited.code}) before ${what}; stderr:\n${this.stderr}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        const events = JSON.stringify(this.events);
        reject(new Error(`voice client: timed out after ${timeoutMs} ms waiting for ${what}; events: ${events}; stderr:\n${this.stderr}`));
      }, timeoutMs);
      const listener = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      this.listeners.add(listener);
      check();
    });
  }

  /** Waits for a guild's VoiceConnection status ('ready', 'disconnected', …) reported at event index ≥ `since`. */
  waitForConnection(
    guildId: string,
    status: string,
    timeoutMs = 10_000,
    since = 0,
  ): Promise<Extract<ChildEvent, { event: 'connection' }>> {
    const match = (e: ChildEvent): boolean => e.event === 'connection' && e.guildId === guildId && e.status === status;
    return this.waitFor(match, timeoutMs, `guild ${guildId} connection ${status}`, since) as Promise<
      Extract<ChildEvent, { event: 'connection' }>
    >;
  }

  /** Waits for a guild's AudioPlayer status ('playing', 'idle', …) reported at event index ≥ `since`. */
  waitForPlayer(guildId: string, status: string, timeoutMs = 10_000, since = 0): Promise<ChildEvent> {
    const match = (e: ChildEvent): boolean => e.event === 'player' && e.guildId === guildId && e.status === status;
    return this.waitFor(match, timeoutMs, `guild ${guildId} player ${status}`, since);
  }

  /** Asks the child to leave and exit; kills it if it has not exited within 3 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.send({ cmd: 'exit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exitPromise;
    clearTimeout(timer);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
