import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The project root, where `npm start` runs. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A child process of the project's Node (the one running the tests), with its output collected. */
export interface ProcessHandle {
  readonly proc: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<number | null>;
  /** Resolves with the first output line matching, or rejects after the timeout or on exit. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends an IPC message (scripts started with `ipc: true`) and resolves with the script's first answer. */
  request(message: object): Promise<unknown>;
  stop(): Promise<number | null>;
}

/** Runs a project script (e.g. scripts/start.ts) the way npm does: Node 22 with tsx, from the project root. */
export function runScript(script: string, env: Record<string, string>, options: { ipc?: boolean; nodeArgs?: string[] } = {}): ProcessHandle {
  // The same flags as the npm scripts in package.json (plus any the caller adds, e.g. --expose-gc for the soak).
  const proc = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', ...(options.nodeArgs ?? []), '--import', 'tsx', script], {
    cwd: ROOT,
    // A clean environment: only what a user would set, plus PATH/HOME for the runtime.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) output.push(line);
    for (const w of waiters) w();
  };
  proc.stdout!.on('data', collect);
  proc.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return {
    proc,
    output,
    exited,
    waitForLine(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        let scanned = 0;
        const check = () => {
          for (; scanned < output.length; scanned++) {
            if (pattern.test(output[scanned]!)) {
              const line = output[scanned]!;
              done();
              resolve(line);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${output.slice(-30).join('\n')}`));
        }, timeoutMs);
        const onExit = () => {
          done();
          reject(new Error(`process exited before a line matching ${pattern}; output:\n${output.slice(-30).join('\n')}`));
        };
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
          proc.off('exit', onExit);
        };
        waiters.add(check);
        proc.once('exit', onExit);
        check();
      });
    },
    request(message) {
      return new Promise((resolve, reject) => {
        if (!proc.send) return reject(new Error(`${script} was not started with an IPC channel`));
        proc.once('message', resolve);
        proc.send(message, (err) => err && reject(err));
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
