import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/observability/logger.js';
import { openSqliteSettings } from '../src/settings/sqlite/sqliteStore.js';
import { rate, type BenchRow } from './table.js';

const TTS = { voices: ['alloy', 'echo', 'nova'], models: ['tts-1'] };

/** read(2)-family system calls and bytes read by this process so far (Linux), to show cached reads touch no file. */
function ioCounters(): { syscr: number; rchar: number } | undefined {
  try {
    const text = readFileSync('/proc/self/io', 'utf8');
    const get = (k: string) => Number(/^(\w+): (\d+)$/m.exec(text.split('\n').find((l) => l.startsWith(`${k}:`)) ?? '')?.[2]);
    return { syscr: get('syscr'), rchar: get('rchar') };
  } catch {
    return undefined;
  }
}

/** Settings store: durable writes/s, uncached and cached reads/s, and what a cached read per message costs. */
export async function benchStore(): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-store-'));
  const store = openSqliteSettings({ dataDir: dir, tts: TTS, logger: createLogger('silent') });
  const rows: BenchRow[] = [];
  try {
    const guilds = Array.from({ length: 200 }, (_, i) => `9${String(i).padStart(17, '0')}`);
    const users = Array.from({ length: 20_000 }, (_, i) => `8${String(i).padStart(17, '0')}`);

    const writes = 2_000;
    let t = performance.now();
    for (let i = 0; i < writes; i++) store.setMember({ guildId: guilds[i % guilds.length]! }, users[i]!, { speed: 1 + (i % 3) });
    const writeMs = performance.now() - t;
    rows.push({ bench: 'settings store', metric: 'durable writes/s (one transaction each, WAL, synchronous=FULL)', value: rate(writes / (writeMs / 1000)) });

    // Fill the rest in one transaction so the read test has 20k members on disk.
    for (let i = writes; i < users.length; i++) store.setMember('global', users[i]!, { voice: 'echo' });

    const fresh = openSqliteSettings({ dataDir: dir, tts: TTS, logger: createLogger('silent') });
    t = performance.now();
    for (let i = 0; i < users.length; i++) fresh.member(guilds[i % guilds.length]!, users[i]!);
    const coldMs = performance.now() - t;
    rows.push({ bench: 'settings store', metric: 'uncached member reads/s (one SELECT each)', value: rate(users.length / (coldMs / 1000)) });

    const messages = 1_000_000;
    const before = fresh.stats();
    const io0 = ioCounters();
    t = performance.now();
    let sink = 0;
    for (let i = 0; i < messages; i++) {
      const g = fresh.guild(guilds[i % guilds.length]!);
      const m = fresh.member(guilds[i % guilds.length]!, users[i % users.length]!);
      sink += g.read_max_chars + (m.global.speed ?? 0);
    }
    const warmMs = performance.now() - t;
    const io1 = ioCounters();
    const after = fresh.stats();
    const sqlPerMessage = (after.queries - before.queries - guilds.length) / messages; // first read of each guild fills the cache
    rows.push({ bench: 'settings store', metric: 'cached reads/s (guild + member per message)', value: rate(messages / (warmMs / 1000)), note: `checksum ${sink % 997}` });
    rows.push({ bench: 'settings store', metric: 'SQL statements per message once warm', value: sqlPerMessage.toFixed(4), target: '0', note: `${after.queries - before.queries} statements in ${rate(messages)} messages (200 first guild reads)` });
    if (io0 && io1) {
      rows.push({ bench: 'settings store', metric: 'read syscalls during 1M cached messages', value: String(io1.syscr - io0.syscr - 1), target: '≈0', note: `bytes read ${io1.rchar - io0.rchar} (includes /proc/self/io itself)` });
    }
    fresh.close();
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}
