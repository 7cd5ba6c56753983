/**
 * Reading what the kernel knows about a process: the real node process behind tsx, its memory
 * (VmRSS, VmHWM) and CPU time. Linux only (/proc), which is what the benchmark runs on.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';

const CLOCK_TICKS = 100; // USER_HZ on Linux

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Direct children of a process (all its threads' children). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    const text = read(`/proc/${pid}/task/${t}/children`);
    if (text) for (const c of text.trim().split(/\s+/).filter(Boolean)) out.push(Number(c));
  }
  return out;
}

/**
 * The process running the program: tsx's launcher (`pid`) spawns node with the loader as its
 * child; the deepest node descendant whose command line names `entry` is the one to measure.
 */
export function programPid(pid: number, entry: string): number | null {
  const queue = [pid];
  let found: number | null = null;
  while (queue.length > 0) {
    const p = queue.shift()!;
    const cmd = read(`/proc/${p}/cmdline`)?.split('\0') ?? [];
    if (cmd.some((a) => a.endsWith(entry)) && !cmd.some((a) => a.endsWith('tsx/dist/cli.mjs')) && !cmd.some((a) => a.endsWith('.bin/tsx'))) found = p;
    queue.push(...childrenOf(p));
  }
  return found;
}

export interface ProcMemory {
  rssKb: number;
  hwmKb: number;
}

export function memoryOf(pid: number): ProcMemory | null {
  const status = read(`/proc/${pid}/status`);
  if (!status) return null;
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') };
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSecondsOf(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Samples RSS of named processes every `ms` and keeps each one's maximum. */
export class MemorySampler {
  private timer: NodeJS.Timeout | null = null;
  readonly peakKb = new Map<string, number>();
  constructor(private readonly pids: () => Map<string, number | null>, private readonly ms = 250) {}
  start(): this {
    this.peakKb.clear();
    this.timer = setInterval(() => {
      for (const [name, pid] of this.pids()) {
        if (!pid) continue;
        const m = memoryOf(pid);
        if (m) this.peakKb.set(name, Math.max(this.peakKb.get(name) ?? 0, m.rssKb));
      }
    }, this.ms);
    this.timer.unref();
    return this;
  }
  stop(): Map<string, number> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return new Map(this.peakKb);
  }
}

export function machine(): { nproc: number; memoryGb: number; cpuModel: string; loadavg: number[]; node: string; kernel: string } {
  const cpuinfo = read('/proc/cpuinfo') ?? '';
  return {
    nproc: os.cpus().length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    kernel: os.release(),
  };
}

/** Max live heap and RSS (MB) the heap probe (heap-probe.mjs) logged in [from, to + 2.5 s]. */
export function probeWindow(file: string, from: number, to: number): { live: number; rss: number } {
  if (!existsSync(file)) return { live: 0, rss: 0 };
  let live = 0;
  let rss = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const s = JSON.parse(line) as { t: number; live: number; rss: number };
    if (s.t < from || s.t > to + 2500) continue;
    live = Math.max(live, s.live);
    rss = Math.max(rss, s.rss);
  }
  return { live: Math.round(live / 1024 / 102.4) / 10, rss: Math.round(rss / 1024 / 102.4) / 10 };
}
