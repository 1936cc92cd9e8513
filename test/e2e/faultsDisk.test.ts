/**
 * Faults of the machine under the bot: the disk filling up while the audio cache writes (a real ENOSPC from a tiny
 * tmpfs mounted over the cache directory), and the settings database held by another process's write lock.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from './world.js';

const content = (h: { message(): { content: string } | undefined }) => h.message()?.content ?? '';
const spoken = (h: { message(): { content: string } | undefined }) => /Spoke in/.test(content(h));

/** Mounts a 64 KiB tmpfs at `dir` (needs root); false where that is not allowed. */
function mountTiny(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Fills the file system of `dir` until it refuses with ENOSPC. */
function fill(dir: string): void {
  const chunk = Buffer.alloc(4096, 1);
  for (let i = 0; ; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), chunk);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw err;
    }
  }
}

describe('disk and database faults', () => {
  let w: World;
  let cacheDir: string;
  let mounted = false;
  beforeAll(async () => {
    w = await startWorld();
    w.join('alice', 'Lounge');
    cacheDir = join(w.dataDir, 'audio-cache');
    mounted = mountTiny(cacheDir);
    if (mounted) fill(cacheDir);
    await w.startBot();
  });
  afterAll(async () => {
    // The cache directory must be released before it can be unmounted and the data directory removed.
    await w.bot?.stop();
    w.bot = undefined;
    if (mounted) execFileSync('umount', [cacheDir]);
    await w.close();
  });

  it('the disk is full while the audio cache writes: speech goes on uncached, the failure logged once', async () => {
    expect(mounted, 'mounting a tmpfs needs root; this test cannot run here').toBe(true);
    for (const text of ['First on a full disk', 'Second on a full disk', 'Third on a full disk']) {
      const h = w.speak('alice', { text });
      await h.waitFor(spoken, 20_000);
    }
    const full = w.bot!.output.filter((l) => /audio cache: the disk is full/.test(l));
    expect(full).toHaveLength(1);
    expect(full[0]).toMatch(/"code":"ENOSPC"/);
    // Nothing but the filler was written; the same phrase again still needs the provider.
    expect(readdirSync(cacheDir).filter((n) => !n.startsWith('filler-'))).toEqual([]);
    const before = w.speech.requests.length;
    const again = w.speak('alice', { text: 'First on a full disk' });
    await again.waitFor(spoken, 20_000);
    expect(w.speech.requests.length).toBe(before + 1);
    // Space comes back: the next write works, and that is logged too.
    for (const name of readdirSync(cacheDir)) rmSync(join(cacheDir, name));
    const fresh = w.speak('alice', { text: 'Room again on the disk' });
    await fresh.waitFor(spoken, 20_000);
    await w.bot!.waitForLine(/audio cache writes work again/, 10_000);
  });

  it('the settings database is locked by another process: a clear reply after a bounded wait; the write works once it is free', async () => {
    // Reserved before the lock: an item already on its way is heard to its end while the database is locked.
    const long = w.speak('alice', { text: 'A longer sentence that is still being said while the database is locked by another program.' });
    await long.waitFor((h) => /Speaking in|Spoke in/.test(content(h)), 20_000);
    const other = new DatabaseSync(join(w.dataDir, 'settings.sqlite'));
    other.exec('BEGIN IMMEDIATE');
    try {
      const started = Date.now();
      const set = w.command('dave', 'settings', { key: 'speed', value: '1.5' }, 'set');
      await set.waitFor((h) => /settings database is busy/.test(content(h)), 15_000);
      console.info(`[figure] busy settings write answered after ${Date.now() - started} ms`);
      expect(set.ephemeral).toBe(true);
      // A new request needs its characters counted (a write): it is refused as clearly, not left hanging.
      const h = w.speak('bob', { text: 'Asking while the database is locked' });
      await h.waitFor((x) => x.followups().some((m) => (m.flags & 64) === 64 && /settings database is busy/.test(m.content)), 15_000);
      await long.waitFor(spoken, 20_000);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const again = w.command('dave', 'settings', { key: 'speed', value: '1.5' }, 'set');
    await again.waitFor((h) => /1\.5/.test(content(h)) && !/busy/.test(content(h)), 15_000);
    expect(w.bot!.proc.exitCode).toBeNull();
  });
});
