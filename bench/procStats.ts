/** CPU time and memory of a process (and its descendants) from /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of utime/stime in /proc/<pid>/stat (USER_HZ; 100 on Linux). */
export const CLOCK_TICKS_PER_SECOND = 100;

/** The fields of /proc/<pid>/stat after the command name (which may contain spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** CPU seconds of one process: its own (utime + stime, and the kernel part alone) and its reaped children's (cutime + cstime). */
export function cpuSeconds(pid: number): { self: number; kernel: number; reapedChildren: number } | undefined {
  const f = statFields(pid);
  if (!f) return undefined;
  // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14).
  return {
    self: (Number(f[11]) + Number(f[12])) / CLOCK_TICKS_PER_SECOND,
    kernel: Number(f[12]) / CLOCK_TICKS_PER_SECOND,
    reapedChildren: (Number(f[13]) + Number(f[14])) / CLOCK_TICKS_PER_SECOND,
  };
}

/** Every live descendant of `pid` (children, grandchildren…), from the ppid fields in /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = Number(statFields(Number(name))?.[1]);
    if (!Number.isFinite(ppid)) continue;
    let list = children.get(ppid);
    if (!list) children.set(ppid, (list = []));
    list.push(Number(name));
  }
  const out: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/**
 * CPU seconds of a process tree: the process, the children it has reaped, and every live descendant (with what
 * they reaped). Continuous across a child's exit (its time moves into the parent's cutime/cstime once reaped).
 */
export function treeCpuSeconds(pid: number): number {
  let total = 0;
  for (const p of [pid, ...descendants(pid)]) {
    const c = cpuSeconds(p);
    if (c) total += c.self + c.reapedChildren;
  }
  return total;
}

/** A `kB` line of /proc/<pid>/status (e.g. VmRSS) in KiB, or 0 when the process is gone. */
function statusKiB(pid: number, key: string): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${key}:`));
    return line ? Number(/(\d+)/.exec(line)?.[1] ?? 0) : 0;
  } catch {
    return 0;
  }
}

/** Resident set size of one process (VmRSS) in MiB. */
export function rssMiB(pid: number): number {
  return statusKiB(pid, 'VmRSS') / 1024;
}

/** Proportional set size (Pss, shared pages split between their users) of one process in MiB, 0 if unreadable. */
export function pssMiB(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').split('\n').find((l) => l.startsWith('Pss:'));
    return line ? Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Memory of a process tree in MiB: summed VmRSS (counts shared pages once per process) and summed Pss. */
export function treeMemoryMiB(pid: number): { rss: number; pss: number; processes: number } {
  const all = [pid, ...descendants(pid)];
  let rss = 0;
  let pss = 0;
  for (const p of all) {
    rss += rssMiB(p);
    pss += pssMiB(p);
  }
  return { rss, pss, processes: all.length };
}
