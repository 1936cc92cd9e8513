import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../e2e/botProcess.js';

/*
 * No Docker engine runs where these tests run, so the image is not built here. What can be checked is that the
 * Dockerfile and compose.yaml agree with the project: the start command, the user, the data volume, the health check.
 */
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const dockerfile = read('Dockerfile');
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; engines: { node: string } };

/** Instructions of the Dockerfile (continuation lines joined, comments dropped), split by stage. */
function stages(text: string): Array<Array<{ op: string; args: string }>> {
  const lines = text.replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const out: Array<Array<{ op: string; args: string }>> = [];
  for (const line of lines) {
    const [op, ...rest] = line.split(/\s+/);
    if (op!.toUpperCase() === 'FROM') out.push([]);
    out.at(-1)?.push({ op: op!.toUpperCase(), args: rest.join(' ') });
  }
  return out;
}
const all = stages(dockerfile);
const final = all.at(-1)!;
const get = (op: string) => final.filter((i) => i.op === op).map((i) => i.args);
const env = Object.fromEntries(get('ENV').flatMap((a) => [...a.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));

describe('Dockerfile', () => {
  it('is multi-stage on a Node 22 slim image that satisfies engines.node', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const stage of all) expect(stage[0]!.args).toMatch(/^node:22-slim\b/);
    expect(pkg.engines.node).toMatch(/^>=22\./);
  });

  it('installs production dependencies only, and the final image takes node_modules from that stage', () => {
    const deps = all[0]!;
    expect(deps.some((i) => i.op === 'RUN' && /npm ci --omit=dev/.test(i.args))).toBe(true);
    expect(final.some((i) => i.op === 'COPY' && /--from=deps \/app\/node_modules/.test(i.args))).toBe(true);
    expect(final.some((i) => i.op === 'RUN' && /npm (ci|install)(?!.*--omit=dev)/.test(i.args))).toBe(false);
  });

  it('starts the bot the way npm start does, under an init process', () => {
    const cmd = JSON.parse(get('CMD')[0]!) as string[];
    expect(cmd.join(' ')).toBe(pkg.scripts.start);
    expect(existsSync(join(ROOT, cmd.at(-1)!))).toBe(true);
    const entry = JSON.parse(get('ENTRYPOINT')[0]!) as string[];
    expect(entry[0]).toMatch(/tini$/);
    expect(final.some((i) => i.op === 'RUN' && /apt-get install .*\btini\b/.test(i.args))).toBe(true);
    expect(get('STOPSIGNAL')).toEqual(['SIGTERM']);
    // Everything the start script imports is copied in.
    const copied = get('COPY').join(' ');
    for (const dir of ['src', 'commands', 'scripts']) expect(copied).toContain(`${dir} ./${dir}`);
  });

  it('runs as a non-root user that owns the data volume, which is DATA_DIR', () => {
    const user = get('USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(env.DATA_DIR).toBe('/data');
    expect(JSON.parse(get('VOLUME')[0]!)).toEqual([env.DATA_DIR]);
    expect(final.some((i) => i.op === 'RUN' && i.args.includes(`chown ${user}:${user} ${env.DATA_DIR}`))).toBe(true);
  });

  it('checks /healthz on the ops port it enables, reachable from outside the container', () => {
    expect(Number(env.HTTP_PORT)).toBeGreaterThan(0);
    expect(env.HTTP_HOST).toBe('0.0.0.0');
    const check = get('HEALTHCHECK')[0]!;
    expect(check).toContain(`http://127.0.0.1:${env.HTTP_PORT}/healthz`);
    expect(get('EXPOSE')).toEqual([env.HTTP_PORT]);
  });

  it('.dockerignore keeps secrets, data and node_modules out of the build context', () => {
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const entry of ['.env', 'data', 'node_modules']) expect(ignored).toContain(entry);
  });
});

describe('compose.yaml', () => {
  const compose = read('compose.yaml');
  it('mounts a named volume at DATA_DIR, publishes the ops port on loopback, and waits long enough on stop', () => {
    expect(compose).toMatch(new RegExp(`- bot-data:${env.DATA_DIR}\\b`));
    expect(compose).toMatch(/^volumes:\n {2}bot-data:/m);
    expect(compose).toContain(`"127.0.0.1:${env.HTTP_PORT}:${env.HTTP_PORT}"`);
    expect(compose).toMatch(new RegExp(`HTTP_PORT: "${env.HTTP_PORT}"`));
    const grace = Number(/stop_grace_period: (\d+)s/.exec(compose)?.[1]);
    expect(grace).toBeGreaterThanOrEqual(Number(env.SHUTDOWN_GRACE_S) + 5);
  });
});
