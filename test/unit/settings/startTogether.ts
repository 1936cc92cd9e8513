// Child processes that begin their work at the same moment: each says "ready" once set up (store open), and the
// parent tells all of them to go once every one has; each prints its result as JSON on its last stdout line.
import { spawn } from 'node:child_process';

/** In a child script: reports ready and resolves when the parent says go. */
export async function readyThenGo(): Promise<void> {
  process.stdout.write('ready\n');
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.destroy();
}

/** Runs `script` (through tsx) in two processes with these arguments, starts them together, and resolves with both results. */
export async function runTogether<T>(script: string, first: string[], second: string[]): Promise<[T, T]> {
  const children = [first, second].map((args) => {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--import', 'tsx', script, ...args], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) markReady();
    });
    const result = new Promise<T>((resolve, reject) =>
      child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as T) : reject(new Error(`${script} exited with ${code}`)))),
    );
    return { child, ready, result };
  });
  const results = Promise.all([children[0]!.result, children[1]!.result]);
  // A child that fails before it is ready must not leave the others waiting for go.
  await Promise.race([Promise.all(children.map((c) => c.ready)), results]);
  for (const { child } of children) child.stdin.end('go\n');
  return results;
}
