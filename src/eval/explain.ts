// `aegis eval --explain`: why the decision came out as it did, asked of the real OPA interpreter
// over the very modules and data.json the bundle holds. The WASM entrypoint returns only the
// decision; the interpreter can also return the library's intermediate facts.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { BundleContents } from "../bundle/read.ts";
import { opaCommand } from "../bundle/opa-cli.ts";
import { AegisError } from "../errors/registry.ts";

export interface Explanation {
  readonly denies: readonly { readonly reason: string; readonly rule_id: string }[];
  readonly params: readonly { readonly rule_id: string; readonly path: string; readonly kind: string }[];
  readonly custom: readonly { readonly reason: string; readonly rule_id: string; readonly message: string }[];
  readonly amount: string | null;
  readonly schedule: { readonly timezone: string; readonly within: boolean } | null;
}

const QUERY = `x := {
  "denies": data.aegis.outcome.deny_reasons,
  "params": [v | some v in data.aegis.params.violations],
  "custom": [m | some m in data.aegis.custom_rules.messages],
  "amount": object.get({"s": data.aegis.amount}, ["s", "status"], null),
  "schedule": object.get({"s": data.aegis.schedule}, ["s", "schedule"], null),
  "within": data.aegis.schedule.within,
}`;

export async function explain(contents: BundleContents, input: unknown): Promise<Explanation> {
  const dir = await mkdtemp(join(tmpdir(), "aegis-explain-"));
  try {
    const files: string[] = [];
    for (const [name, bytes] of contents.files) {
      if (!name.endsWith(".rego")) continue;
      const target = join(dir, "rego", ...name.split("/"));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
      files.push(target);
    }
    await writeFile(join(dir, "data.json"), contents.dataJson);
    await writeFile(join(dir, "input.json"), JSON.stringify(input));
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(opaCommand(), ["eval", "-f", "json", "-d", join(dir, "rego"), "-d", join(dir, "data.json"), "-i", join(dir, "input.json"), QUERY], { maxBuffer: 64 * 1024 * 1024 }, (err, out, stderr) => {
        if (err === null) return resolve(out);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "EACCES") return reject(new AegisError("AEGIS_ERR_OPA_NOT_FOUND", `--explain runs the OPA CLI "${opaCommand()}", which could not be run (${code})`, { cause: err }));
        reject(new AegisError("AEGIS_ERR_OPA_BUILD", `opa eval for --explain failed: ${stderr.trim() || err.message}`, { cause: err }));
      });
    });
    const parsed = JSON.parse(stdout) as { result?: { bindings: { x: Record<string, unknown> } }[] };
    const x = parsed.result?.[0]?.bindings.x ?? {};
    const schedule = x.schedule as { timezone?: string } | null;
    return {
      denies: (x.denies as Explanation["denies"]) ?? [],
      params: [...((x.params as Explanation["params"]) ?? [])].sort((a, b) => (a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0)),
      custom: (x.custom as Explanation["custom"]) ?? [],
      amount: typeof x.amount === "string" ? x.amount : null,
      schedule: schedule === null || typeof schedule?.timezone !== "string" ? null : { timezone: schedule.timezone, within: x.within === true },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
