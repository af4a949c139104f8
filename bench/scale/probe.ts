// Child process of the scale harness: node bench/scale/probe.ts <bundle> <paramsBytes> <workers> <warmupMs> <durationMs>
// Prints one JSON line (ProbeResult).
import { probe } from "../lib/scale-probe.ts";

const [bundlePath, paramsBytes = "0", workers = "0", warmupMs = "500", durationMs = "3000"] = process.argv.slice(2);
if (bundlePath === undefined) {
  process.stderr.write("usage: node bench/scale/probe.ts <bundle> [paramsBytes] [workers] [warmupMs] [durationMs]\n");
  process.exit(2);
}
const result = await probe({ bundlePath, paramsBytes: Number(paramsBytes), workers: Number(workers), warmupMs: Number(warmupMs), durationMs: Number(durationMs) });
process.stdout.write(`${JSON.stringify(result)}\n`);
