// aegis eval --bundle B --input request.json [--config aegis.yaml] [--explain]: prints the decision
// JSON. The input is a CheckRequest as Envoy sends it (mapped to the policy input exactly as the
// server maps it, with the identity settings of the config) or a policy input; eval says which.
import { readFileSync } from "node:fs";
import { parseCommand, usageError } from "../parse-command.ts";
import { createPolicyContext } from "../../authz/policy-context.ts";
import { decide } from "../../engine/decide.ts";
import { openBundleFile } from "../../engine/open-bundle.ts";
import { AegisError, isAegisError } from "../../errors/registry.ts";
import { verifyAttestation } from "../../identity/call-chain.ts";
import { createIdentityResolver } from "../../identity/resolve-identity.ts";
import { verificationKeyFromFile } from "../../identity/verification-key.ts";
import { matchCatalog } from "../../input/catalog.ts";
import { completeInput } from "../../input/complete-input.ts";
import { toPolicyInput } from "../../input/from-check-request.ts";
import { readRequestFacts } from "../../input/request-facts.ts";
import { withScheduleClock } from "../../input/schedule-clock.ts";
import type { PolicyInput } from "../../input/types.ts";
import { loadConfig, type Config } from "../../server/config.ts";
import { classifyEvalInput } from "../../testing/eval-input.ts";
import { explain, type Explanation } from "../../testing/explain.ts";

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
    const notes: string[] = [];
    if (given.kind === "policy_input") {
      const { now, ...rest } = given.input;
      input = completeInput(rest);
      // A policy input's own clock wins; else the host's, as the server computes it.
      input = now !== undefined ? { ...input, now: now as PolicyInput["now"] } : withScheduleClock(input, zonesOf(input), at);
      process.stderr.write("aegis eval: input is a policy input\n");
    } else {
      const config = loadConfig({ file: values.config, env: process.env });
      const mapped = await mapCheckRequest(given.request, config, policy);
      if (!mapped.ok) {
        process.stderr.write(`aegis eval: input is a CheckRequest; it is an invalid_request (the server answers 400): ${mapped.reason}\n`);
        return 1;
      }
      input = withScheduleClock(mapped.input, zonesOf(mapped.input), at);
      notes.push(...mapped.notes);
      process.stderr.write(`aegis eval: input is a CheckRequest (${mapped.notes.join("; ")})\n`);
    }
    const decision = await decide(engine, input);
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

type Mapped = { ok: true; input: PolicyInput; notes: string[] } | { ok: false; reason: string };

async function mapCheckRequest(request: Parameters<typeof readRequestFacts>[0], config: Config, policy: ReturnType<typeof createPolicyContext>): Promise<Mapped> {
  const jwt = config.identity.jwt;
  const resolveIdentity = createIdentityResolver({
    jwt: jwt === undefined ? null : {
      ...(jwt.jwks_file === undefined ? {} : { jwksFile: jwt.jwks_file }),
      ...(jwt.jwks_url === undefined ? {} : { jwksUrl: jwt.jwks_url }),
      ...(jwt.public_key_file === undefined ? {} : { publicKeyFile: jwt.public_key_file }),
      ...(jwt.issuer === undefined ? {} : { issuer: jwt.issuer }),
      ...(jwt.audience === undefined ? {} : { audience: jwt.audience }),
      tenantClaim: jwt.tenant_claim,
      agentClaim: jwt.agent_claim,
    },
    spiffe: { trustDomains: config.identity.spiffe.trust_domains, pattern: config.identity.spiffe.pattern },
    trustIdentityHeaders: config.identity.trust_headers,
  });
  let facts;
  try {
    facts = readRequestFacts(request);
  } catch (err) {
    return { ok: false, reason: isAegisError(err) ? err.message : String(err) };
  }
  const identity = await resolveIdentity(facts);
  const keys = config.call_chain.keys;
  const callChain = await verifyAttestation(facts.attestation, {
    parent: facts.parentAgent, child: identity?.agent ?? null, tenant: identity?.tenant ?? null,
    keys: (tenant) => (Object.hasOwn(keys, tenant) ? verificationKeyFromFile(keys[tenant] ?? "") : null),
    now: new Date(), maxAgeSeconds: config.call_chain.max_age_seconds, isRevoked: async () => false,
  });
  const limits = { maxBodyBytes: config.limits.max_body_bytes, maxParams: config.limits.max_params, maxDepth: config.limits.max_depth };
  // No state store here: every budget reads as nothing spent.
  const mapped = toPolicyInput(request, facts, { identity, catalog: policy.catalog, callChain, budgets: {}, limits });
  if (!mapped.ok) return { ok: false, reason: mapped.reason };
  const notes = [identity === null ? "no identity established" : `identity ${identity.tenant}/${identity.agent} from ${identity.source}`];
  const fromRoute = facts.contextExtensions["tool"];
  const route = identity === null ? null : matchCatalog(policy.catalog(identity.tenant), { host: facts.host, method: facts.method, path: facts.path });
  if (fromRoute !== undefined && fromRoute !== "") notes.push(`tool from the route's context_extensions`);
  else if (route !== null) notes.push(`tool and action from the catalog route ${route.method} ${route.host}${route.path} → ${route.tool}/${route.action}`);
  else notes.push("no tool: no context_extensions and no catalog route matched");
  if (mapped.input.action !== null && mapped.input.action !== route?.action && mapped.input.action !== facts.contextExtensions["action"]) notes.push(`action \`${mapped.input.action}\` from the MCP tools/call body`);
  return { ok: true, input: mapped.input, notes };
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
