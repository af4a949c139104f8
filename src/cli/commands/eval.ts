// aegis eval --bundle B --input request.json [--config aegis.yaml] [--explain]: prints the decision
// JSON. The input is a CheckRequest as Envoy sends it (mapped to the policy input exactly as the
// server maps it, with the identity settings of the config) or a policy input; eval says which.
import { readFileSync } from "node:fs";
import { parseCommand, usageError } from "../parse-command.ts";
import { NO_OBSERVER } from "../../authz/check-event.ts";
import { NO_OVERRIDE_TOKENS } from "../../authz/host-approvals.ts";
import { createCheckPipeline, NO_APPROVALS, type CheckResult } from "../../authz/pipeline.ts";
import { createPolicyContext, type PolicyContext } from "../../authz/policy-context.ts";
import type { Decision } from "../../decision/types.ts";
import { decide } from "../../engine/decide.ts";
import { EngineHolder } from "../../engine/engine-holder.ts";
import type { Engine } from "../../engine/engine.ts";
import { openBundleFile } from "../../engine/open-bundle.ts";
import { AegisError, isAegisError } from "../../errors/registry.ts";
import { verifyAttestation } from "../../identity/call-chain.ts";
import { createIdentityResolver } from "../../identity/resolve-identity.ts";
import { identityConfigOf } from "../../server/identity-config.ts";
import { verificationKeyFromFile } from "../../identity/verification-key.ts";
import { matchCatalog } from "../../input/catalog.ts";
import { completeInput } from "../../input/complete-input.ts";
import type { ResolvedIdentity } from "../../input/from-check-request.ts";
import { readRequestFacts } from "../../input/request-facts.ts";
import { withScheduleClock } from "../../input/schedule-clock.ts";
import type { PolicyInput } from "../../input/types.ts";
import { loadConfig, type Config } from "../../server/config.ts";
import { openStateStore } from "../../state/open-state-store.ts";
import { classifyEvalInput } from "../../eval/eval-input.ts";
import { explain, type Explanation } from "../../eval/explain.ts";

const USAGE = `usage: aegis eval --bundle <bundle.tar.gz> --input <request.json|-> [--config aegis.yaml] [--now <RFC 3339 time>] [--explain]

  --input     a CheckRequest as Envoy's ext_authz filter sends it (an MCP body included), mapped
              as the server maps it; or a policy input (docs/contracts.md §2), whose omitted
              fields take neutral defaults. Anything else is refused.
  --config    server config whose identity and call-chain settings map a CheckRequest
              (default: the defaults; flags > AEGIS_* env > file, as for serve)
  --now       the moment of the call, for schedules (default: now)
  --explain   after the decision, which rules fired and why
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand("eval", USAGE, {
    args,
    options: { bundle: { type: "string" }, input: { type: "string" }, config: { type: "string" }, now: { type: "string" }, explain: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  if (values.bundle === undefined || values.input === undefined) return usageError("eval", USAGE);
  const at = values.now === undefined ? Date.now() : Date.parse(values.now);
  if (!Number.isFinite(at)) return usageError("eval", USAGE, `--now ${values.now} is not a time`);

  const given = classifyEvalInput(readJson(values.input));
  if (given.kind === "refused") {
    process.stderr.write(`aegis eval: ${given.reason}\n`);
    return 1;
  }
  const { engine, contents } = await openBundleFile(values.bundle);
  try {
    const policy = createPolicyContext(engine.revision, contents);
    const zonesOf = (input: PolicyInput) => (input.tenant === null || input.agent === null ? [] : policy.agent(input.tenant, input.agent)?.scheduleZones ?? []);
    let input: PolicyInput;
    let decision: Decision;
    const notes: string[] = [];
    if (given.kind === "policy_input") {
      const { now, ...rest } = given.input;
      input = completeInput(rest);
      // A policy input's own clock wins; else the host's, as the server computes it.
      input = now !== undefined ? { ...input, now: now as PolicyInput["now"] } : withScheduleClock(input, zonesOf(input), at);
      process.stderr.write("aegis eval: input is a policy input\n");
      decision = await decide(engine, input);
    } else {
      const config = loadConfig({ file: values.config, env: process.env });
      const checked = await checkRequest(given.request, config, engine, policy, at);
      if (!checked.ok) {
        process.stderr.write(`aegis eval: input is a CheckRequest; it is an invalid_request (the server answers 400): ${checked.reason}\n`);
        return 1;
      }
      ({ input, decision } = checked);
      notes.push(...checked.notes);
      process.stderr.write(`aegis eval: input is a CheckRequest (${checked.notes.join("; ")})\n`);
    }
    process.stdout.write(`${JSON.stringify(decision, null, 2)}\n`);
    if (values.explain === true) process.stdout.write(explanationText(input, notes, await explain(contents, input)));
  } finally {
    await engine.close();
  }
  return 0;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path === "-" ? 0 : path, "utf8"));
  } catch (err) {
    throw new AegisError("AEGIS_ERR_USAGE", `cannot read input ${path}: ${(err as Error).message}`);
  }
}

type Checked = { ok: true; input: PolicyInput; decision: Decision; notes: string[] } | { ok: false; reason: string };

/**
 * A CheckRequest runs the server's own Check pipeline (identity, call chain, input, evaluation),
 * with nothing spent of any budget, no approvals and nobody observing; eval prints the bundle's
 * own decision (the pipeline's policyDecision), before any host rule.
 */
async function checkRequest(request: Parameters<typeof readRequestFacts>[0], config: Config, engine: Engine, policy: PolicyContext, at: number): Promise<Checked> {
  let facts;
  try {
    facts = readRequestFacts(request);
  } catch (err) {
    return { ok: false, reason: isAegisError(err) ? err.message : String(err) };
  }
  const resolveIdentity = createIdentityResolver(identityConfigOf(config, config.identity.trust_headers));
  let identity: ResolvedIdentity | null = null;
  const keys = config.call_chain.keys;
  const decider = new EngineHolder<PolicyContext>();
  decider.swap(engine, policy);
  const store = await openStateStore("sqlite::memory:");
  let result: CheckResult;
  try {
    result = await createCheckPipeline({
      decider,
      identity: async (f) => (identity = await resolveIdentity(f)),
      callChain: (f, id) => verifyAttestation(f.attestation, {
        parent: f.parentAgent, child: id?.agent ?? null, tenant: id?.tenant ?? null,
        keys: (tenant) => (Object.hasOwn(keys, tenant) ? verificationKeyFromFile(keys[tenant] ?? "") : null),
        now: new Date(), maxAgeSeconds: config.call_chain.max_age_seconds, isRevoked: async () => false,
      }),
      budgets: store.budgets, approvals: NO_APPROVALS, tokens: NO_OVERRIDE_TOKENS, standing: null,
      limits: { maxBodyBytes: config.limits.max_body_bytes, maxParams: config.limits.max_params, maxDepth: config.limits.max_depth },
      shadowGlobal: false, observer: NO_OBSERVER, now: () => at,
    })(request);
  } finally {
    await store.close();
  }
  if (result.input === null || result.policyDecision === null) return { ok: false, reason: result.invalidReason ?? "the request could not be mapped to a policy input" };
  const input = result.input;
  const who = identity as ResolvedIdentity | null;
  const notes = [who === null ? "no identity established" : `identity ${who.tenant}/${who.agent} from ${who.source}`];
  const fromRoute = facts.contextExtensions["tool"];
  const route = who === null ? null : matchCatalog(policy.catalog(who.tenant), { host: facts.host, method: facts.method, path: facts.path });
  if (fromRoute !== undefined && fromRoute !== "") notes.push(`tool from the route's context_extensions`);
  else if (route !== null) notes.push(`tool and action from the catalog route ${route.method} ${route.host}${route.path} → ${route.tool}/${route.action}`);
  else notes.push("no tool: no context_extensions and no catalog route matched");
  if (input.action !== null && input.action !== route?.action && input.action !== facts.contextExtensions["action"]) notes.push(`action \`${input.action}\` from the MCP tools/call body`);
  return { ok: true, input, decision: result.policyDecision, notes };
}

function explanationText(input: PolicyInput, notes: readonly string[], why: Explanation): string {
  const lines = ["", "explain:"];
  lines.push(`  call: tenant ${input.tenant ?? "-"}, agent ${input.agent ?? "-"}, tool ${input.tool ?? "-"}, action ${input.action ?? "-"}, host ${input.host || "-"}`);
  for (const note of notes) lines.push(`  input: ${note}`);
  if (why.denies.length === 0) lines.push("  denies: none");
  else {
    lines.push("  denies, in precedence order (the first is reported):");
    for (const d of why.denies) lines.push(`    ${d.reason}  ${d.rule_id}`);
  }
  for (const p of why.params) lines.push(`  parameter rule broken: ${p.path} (${p.kind})  ${p.rule_id}`);
  for (const c of why.custom) lines.push(`  custom rule: ${c.reason}  ${c.rule_id}: ${c.message}`);
  if (why.amount !== null) lines.push(`  amount rule: ${why.amount}`);
  if (why.schedule !== null) lines.push(`  schedule (${why.schedule.timezone}): ${why.schedule.within ? "within" : "outside"}${input.now === undefined ? " (no clock in the input)" : ""}`);
  return `${lines.join("\n")}\n`;
}
