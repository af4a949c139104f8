// Server CPU and memory from /proc, sampled around a load phase: what the process (all its
// threads) consumed, whatever language it is written in.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ProcessSample {
  readonly atNs: bigint;
  /** User + system CPU time of every thread, in seconds. */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100; // the Linux default on every mainstream architecture
    }
  }
  return clockTicks;
}

export function sampleProcess(pid: number): ProcessSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which sits in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  return { atNs: process.hrtime.bigint(), cpuSeconds: (utime + stime) / ticksPerSecond(), rssBytes: rssKb * 1024 };
}

/** Cores used between two samples: 1.0 is one core busy the whole time. */
export function coresUsed(before: ProcessSample, after: ProcessSample): number {
  const wallSeconds = Number(after.atNs - before.atNs) / 1e9;
  return wallSeconds <= 0 ? 0 : (after.cpuSeconds - before.cpuSeconds) / wallSeconds;
}
