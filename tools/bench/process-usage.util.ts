import { readdir, readFile, writeFile } from 'node:fs/promises';

/**
 * CPU time and peak memory of the processes taking part in a benchmark stage, from /proc (Linux
 * only; elsewhere every figure is undefined). A stage's CPU seconds per process show which stage is
 * the limit: on two cores, a process near 1.0 s of CPU per second of wall time is saturated.
 */

const CLOCK_TICKS_PER_SECOND = 100;

/** utime + stime in seconds, and the process group, of one pid; null when it is gone. */
async function readStat(pid: number): Promise<{ cpuSeconds: number; pgrp: number } | null> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; the fields after its last ')' are fixed.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pgrp: Number(fields[2]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** Peak resident memory (VmHWM) of a process in bytes. */
export async function peakRss(pid: number): Promise<number | undefined> {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Resets VmHWM to the current RSS (Linux 4.0+, `echo 5 > clear_refs`), so the next peak is one stage's. */
export async function resetPeakRss(pid: number): Promise<boolean> {
  try {
    await writeFile(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Follows the process groups of named group leaders (every ManagedProcess is detached, so it leads its
 * own group; Dovecot's imap and pop3 children share the master's). Sampled every `intervalMs`, so the
 * CPU of a child that exits during the stage is counted up to its last sample.
 */
export class ProcessGroupCpu {
  private readonly startCpu = new Map<number, number>();
  private readonly lastCpu = new Map<number, { group: string; cpuSeconds: number }>();
  /** Pids seen outside every group (pids are not reused within a stage's seconds). */
  private readonly outsiders = new Set<number>();
  private timer?: NodeJS.Timeout;
  private startedAt = 0;

  constructor(private readonly leaders: Record<string, number | undefined>) {}

  async start({ intervalMs = 200 }: { intervalMs?: number } = {}): Promise<void> {
    this.startedAt = performance.now();
    for (const [pid, { cpuSeconds }] of await this.sample()) this.startCpu.set(pid, cpuSeconds);
    this.timer = setInterval(() => void this.sample(), intervalMs);
  }

  /** CPU seconds per group since start(), and the wall seconds they were spent in. */
  async stop(): Promise<{ wallSeconds: number; cpuSeconds: Record<string, number> }> {
    clearInterval(this.timer);
    await this.sample();
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    const cpuSeconds: Record<string, number> = Object.fromEntries(Object.keys(this.leaders).map((group) => [group, 0]));
    for (const [pid, { group, cpuSeconds: seconds }] of this.lastCpu) cpuSeconds[group] = (cpuSeconds[group] ?? 0) + seconds - (this.startCpu.get(pid) ?? 0);
    return { wallSeconds, cpuSeconds };
  }

  private async sample(): Promise<Map<number, { group: string; cpuSeconds: number }>> {
    const groupOf = new Map(Object.entries(this.leaders).flatMap(([group, pid]) => (pid === undefined ? [] : [[pid, group] as const])));
    const seen = new Map<number, { group: string; cpuSeconds: number }>();
    let pids: number[];
    try {
      pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
    } catch {
      return seen;
    }
    await Promise.all(
      pids.map(async (pid) => {
        // A process outside every group is read once, not at every sample: reading all of /proc each
        // time cost the bench 13 ms of CPU per sample, CPU taken from the processes it measures.
        if (this.outsiders.has(pid)) return;
        const stat = await readStat(pid);
        const group = stat && (groupOf.get(pid) ?? groupOf.get(stat.pgrp));
        if (stat && group) seen.set(pid, { group, cpuSeconds: stat.cpuSeconds });
        else if (stat) this.outsiders.add(pid);
      }),
    );
    for (const [pid, usage] of seen) this.lastCpu.set(pid, usage);
    return seen;
  }
}
