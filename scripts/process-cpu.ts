import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) used so far by the processes named `comm` (as /proc/<pid>/stat names them), or by one pid. Linux only. */
const TICKS_PER_S = 100;

function statOf(pid: string): { comm: string; cpuS: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based), i.e. indexes 11 and 12 here.
    return {
      comm: stat.slice(stat.indexOf('(') + 1, close),
      cpuS: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S,
    };
  } catch {
    return undefined; // exited meanwhile
  }
}

export function cpuSecondsOfPid(pid: number): number {
  return statOf(String(pid))?.cpuS ?? 0;
}

export function cpuSecondsOfCommand(comm: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = statOf(pid);
    if (stat?.comm === comm) total += stat.cpuS;
  }
  return total;
}

/** Machine-wide busy CPU seconds (all cores), from /proc/stat. */
export function machineBusySeconds(): number {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_S;
}
