// What a result was measured on, recorded beside every harness result: these machines are shared
// and noisy, so the load average before and after says how far to trust a run.
import { cpus, loadavg, totalmem } from "node:os";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryBytes: number;
  readonly node: string;
  readonly loadAverage1m: number;
  readonly at: string;
}

export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    cpuModel: cpuList[0]?.model ?? "unknown",
    cores: cpuList.length,
    memoryBytes: totalmem(),
    node: process.version,
    loadAverage1m: loadavg()[0] ?? 0,
    at: new Date().toISOString(),
  };
}
