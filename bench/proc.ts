// What the benchmarks read of a process from /proc: CPU time (its forked children included: NSD
// answers from a child) and memory. CPU per answered query hardly moves when the machine's speed
// drifts; QPS does.
import { readdirSync, readFileSync } from 'node:fs';

/** user + system CPU seconds so far of a process and its live descendants: utime + stime, 100 ticks/s */
export function cpuSeconds(root: number): number {
  const stats = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).flatMap((pid) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return [{ pid: Number(pid), ppid: Number(fields[1]), seconds: (Number(fields[11]) + Number(fields[12])) / 100 }];
    } catch {
      return []; // exited meanwhile
    }
  });
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const stat of stats) if (tree.has(stat.ppid) && !tree.has(stat.pid)) (tree.add(stat.pid), (grew = true));
  }
  return stats.filter((stat) => tree.has(stat.pid)).reduce((sum, stat) => sum + stat.seconds, 0);
}

/** VmRSS and VmHWM (peak) in MB. */
export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: Math.round(kb('VmRSS') / 1024), peak: Math.round(kb('VmHWM') / 1024) };
}
