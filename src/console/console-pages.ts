// Server-rendered console pages. Every value from a request, the state store or the decision log
// passes escapeHtml; the page loads only its own CSS and JS (the CSP forbids anything else).
import { boundsText } from "../approvals/standing-bounds.ts";
import type { LoggedDecision } from "../ops/decision-records.ts";
import { escapeHtml as e } from "../ops/html-escape.ts";
import type { ShadowReport } from "../ops/shadow-report.ts";
import { shadowReportSections } from "../ops/shadow-report-render.ts";
import type { ApprovalRecord } from "../state/approval-store.ts";
import type { StandingApproval } from "../state/standing-approval-store.ts";
import type { BundleHistoryEntry, BundlePort } from "./console-ports.ts";
import type { DecisionFilter } from "./recent-decisions.ts";

function layout(title: string, body: string, nav: boolean): string {
  const links = nav
    ? `<nav aria-label="Sections"><a href="#pending">Pending</a> <a href="#standing">Standing approvals</a> <a href="#decisions">Decisions</a> <a href="#bundle">Bundle</a> <a href="#shadow">Shadow summary</a></nav>`
    : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${e(title)}</title><link rel="stylesheet" href="/console/assets/console.css"><script src="/console/assets/console.js" defer></script></head>` +
    `<body><header><h1>Aegis console</h1>${links}</header><main>${body}</main></body></html>`;
}

export function loginPage(message: string | null): string {
  return layout("Aegis console: sign in",
    `<form class="login" method="post" action="/console/login">` +
    (message === null ? "" : `<p class="error" role="alert">${e(message)}</p>`) +
    `<p><label for="name">Your name (recorded as the approver)</label><input id="name" name="name" autocomplete="username" required maxlength="100"></p>` +
    `<p><label for="token">Admin token</label><input id="token" name="token" type="password" autocomplete="current-password" required></p>` +
    `<p><button type="submit">Sign in</button></p></form>`, false);
}

const csrfField = (csrf: string) => `<input type="hidden" name="csrf" value="${e(csrf)}">`;

function postButton(action: string, csrf: string, label: string, extra = "", confirm?: string): string {
  return `<form method="post" action="${e(action)}" class="inline"${confirm === undefined ? "" : ` data-confirm="${e(confirm)}"`}>${csrfField(csrf)}${extra}<button type="submit">${label}</button></form>`;
}

function age(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

function defaultBounds(params: Readonly<Record<string, unknown>> | null): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(params ?? {})) {
    if (typeof v === "number" && Number.isFinite(v)) lines.push(`${k} <= ${v}`);
  }
  return lines.join("\n");
}

function pendingSection(pending: readonly ApprovalRecord[], csrf: string, now: number): string {
  const rows = pending.map((a) => {
    const id = encodeURIComponent(a.id);
    const label = `${a.agent} ${a.tool}.${a.action}`;
    const standing = `<details><summary>Approve as standing…</summary><form method="post" action="/console/approvals/${e(id)}/standing" class="standing">${csrfField(csrf)}` +
      `<p><label for="uses-${e(a.id)}">Uses</label><input id="uses-${e(a.id)}" name="uses" type="number" min="1" max="100000" value="10" required></p>` +
      `<p><label for="hours-${e(a.id)}">Expires in (hours)</label><input id="hours-${e(a.id)}" name="expires_in_hours" type="number" min="1" max="720" value="24" required></p>` +
      `<p><label for="bounds-${e(a.id)}">Parameter bounds (one per line: <code>amount &lt;= 8000</code>, <code>currency in eur, usd</code>)</label><textarea id="bounds-${e(a.id)}" name="bounds" rows="3">${e(defaultBounds(a.params_preview))}</textarea></p>` +
      `<p><button type="submit" aria-label="Approve as standing: ${e(label)}">Approve as standing</button></p></form></details>`;
    return `<tr data-approval-id="${e(a.id)}"><td>${e(a.tenant)}/${e(a.agent)}</td><td>${e(a.tool)}.${e(a.action)}</td>` +
      `<td><pre class="params">${e(JSON.stringify(a.params_preview ?? {}, null, 1))}</pre></td><td>${e(a.reason)}</td>` +
      `<td>${e(age(a.created_at, now))}</td><td><time datetime="${e(a.expires_at)}">${e(a.expires_at)}</time></td>` +
      `<td class="actions">${postButton(`/console/approvals/${id}/approve`, csrf, `Approve<span class="sr"> ${e(label)}</span>`)}` +
      `${postButton(`/console/approvals/${id}/deny`, csrf, `Deny<span class="sr"> ${e(label)}</span>`)}${standing}</td></tr>`;
  }).join("");
  const batch = `<form method="post" action="/console/approvals/batch" class="batch" data-confirm="Resolve every pending approval that matches?">${csrfField(csrf)}` +
    `<fieldset><legend>Batch: every pending approval matching</legend>` +
    `<label for="b-agent">Agent</label><input id="b-agent" name="agent"> <label for="b-tool">Tool</label><input id="b-tool" name="tool"> ` +
    `<label for="b-action">Action</label><input id="b-action" name="action"> ` +
    `<label for="b-decision">Decision</label><select id="b-decision" name="decision"><option value="approve">approve</option><option value="deny">deny</option></select> ` +
    `<button type="submit">Apply to matching</button></fieldset></form>`;
  return `<section id="pending" aria-labelledby="h-pending"><h2 id="h-pending">Pending approvals (${pending.length})</h2>` +
    (pending.length === 0 ? "<p>No pending approvals.</p>" : `${batch}<table><thead><tr><th scope="col">agent</th><th scope="col">tool.action</th><th scope="col">parameters (masked)</th><th scope="col">reason</th><th scope="col">age</th><th scope="col">expires</th><th scope="col">actions</th></tr></thead><tbody>${rows}</tbody></table>`) +
    `</section>`;
}

function standingSection(standing: readonly StandingApproval[] | null, csrf: string): string {
  if (standing === null) return `<section id="standing" aria-labelledby="h-standing"><h2 id="h-standing">Standing approvals</h2><p>Not available on this server.</p></section>`;
  const rows = standing.map((s) => `<tr data-standing-id="${e(s.id)}"><td><code>${e(s.id)}</code></td><td>${e(s.tenant)}/${e(s.agent)}</td><td>${e(s.tool)}.${e(s.action)}</td>` +
    `<td>${e(boundsText(s.bounds))}</td><td class="n">${s.uses_left} / ${s.uses_total}</td><td>${e(s.expires_at)}</td><td>${e(s.status)}</td><td>${e(s.created_by)}</td>` +
    `<td>${s.status === "active" ? postButton(`/console/standing/${encodeURIComponent(s.id)}/revoke`, csrf, `Revoke<span class="sr"> ${e(s.id)}</span>`) : ""}</td></tr>`).join("");
  const create = `<details><summary>New standing approval…</summary><form method="post" action="/console/standing" class="standing">${csrfField(csrf)}` +
    `<p><label for="s-tenant">Tenant</label><input id="s-tenant" name="tenant" required></p><p><label for="s-agent">Agent</label><input id="s-agent" name="agent" required></p>` +
    `<p><label for="s-tool">Tool</label><input id="s-tool" name="tool" required></p><p><label for="s-action">Action</label><input id="s-action" name="action" required></p>` +
    `<p><label for="s-uses">Uses</label><input id="s-uses" name="uses" type="number" min="1" max="100000" value="10" required></p>` +
    `<p><label for="s-hours">Expires in (hours)</label><input id="s-hours" name="expires_in_hours" type="number" min="1" max="720" value="24" required></p>` +
    `<p><label for="s-bounds">Parameter bounds (one per line)</label><textarea id="s-bounds" name="bounds" rows="3"></textarea></p>` +
    `<p><button type="submit">Create standing approval</button></p></form></details>`;
  return `<section id="standing" aria-labelledby="h-standing"><h2 id="h-standing">Standing approvals</h2>${create}` +
    (standing.length === 0 ? "<p>No standing approvals.</p>" : `<table><thead><tr><th scope="col">id</th><th scope="col">agent</th><th scope="col">tool.action</th><th scope="col">bounds</th><th scope="col">uses left</th><th scope="col">expires</th><th scope="col">status</th><th scope="col">by</th><th scope="col"><span class="sr">actions</span></th></tr></thead><tbody>${rows}</tbody></table>`) +
    `</section>`;
}

function decisionsSection(decisions: readonly LoggedDecision[] | null, filter: DecisionFilter): string {
  const input = (name: keyof DecisionFilter, label: string) => `<label for="f-${name}">${label}</label><input id="f-${name}" name="${name}" value="${e(filter[name] ?? "")}">`;
  const form = `<form method="get" action="/console/#decisions" class="filters"><fieldset><legend>Filter</legend>${input("agent", "Agent")} ${input("tool", "Tool")} ${input("outcome", "Outcome")} ${input("reason", "Reason")} <button type="submit">Filter</button></fieldset></form>`;
  if (decisions === null) return `<section id="decisions" aria-labelledby="h-decisions"><h2 id="h-decisions">Recent decisions</h2><p>The decision log is not written to a file on this server (decision_log.path).</p></section>`;
  const rows = decisions.map((d) => `<tr><td><time datetime="${e(d.time)}">${e(d.time)}</time></td><td>${e(d.tenant ?? "-")}/${e(d.agent_id ?? "-")}</td><td>${e(d.tool ?? "-")}.${e(d.action ?? "-")}</td>` +
    `<td>${e(d.decision)}${d.enforced !== d.decision ? ` (enforced ${e(d.enforced)})` : ""}</td><td>${e(d.reason)}</td><td><code>${e(d.rule_id)}</code></td><td><pre class="params">${e(JSON.stringify(d.input?.params ?? {}))}</pre></td></tr>`).join("");
  return `<section id="decisions" aria-labelledby="h-decisions"><h2 id="h-decisions">Recent decisions</h2>${form}` +
    (decisions.length === 0 ? "<p>No decisions match.</p>" : `<table><thead><tr><th scope="col">time</th><th scope="col">agent</th><th scope="col">tool.action</th><th scope="col">outcome</th><th scope="col">reason</th><th scope="col">rule</th><th scope="col">parameters (masked)</th></tr></thead><tbody>${rows}</tbody></table>`) +
    `</section>`;
}

function bundleSection(bundle: BundlePort | null, csrf: string): string {
  if (bundle === null) return `<section id="bundle" aria-labelledby="h-bundle"><h2 id="h-bundle">Bundle</h2><p>Not available.</p></section>`;
  const st = bundle.status();
  const history: readonly BundleHistoryEntry[] = bundle.history();
  const rows = history.map((h) => `<tr data-revision="${e(h.revision)}"><td><code>${e(h.revision)}</code></td><td>${e(h.loaded_at)}</td><td>${h.live ? "live" : ""}</td>` +
    `<td>${h.live ? "" : postButton("/console/bundle/rollback", csrf, `Roll back to <span class="rev">${e(h.revision)}</span>`, `<input type="hidden" name="revision" value="${e(h.revision)}">`, `Switch every check to revision ${h.revision}?`)}</td></tr>`).join("");
  return `<section id="bundle" aria-labelledby="h-bundle"><h2 id="h-bundle">Bundle</h2>` +
    `<p>In force: <strong id="live-revision">${e(st.revision ?? "none")}</strong> since ${e(st.loaded_at ?? "-")}, ` +
    (st.rollback != null ? `<span id="live-origin">rolled back by ${e(st.rollback.by)} from ${e(st.rollback.from_revision ?? "-")} at ${e(st.rollback.at)}; the next different bundle from <code class="path">${e(st.source)}</code> ends the rollback</span>.</p>` : `<span id="live-origin">loaded from <code class="path">${e(st.source)}</code></span>.</p>`) +
    (st.last_error === null ? "" : `<p class="error">Last load error: ${e(st.last_error.code)}: ${e(st.last_error.message)}</p>`) +
    (history.length === 0 ? "<p>No bundle history kept.</p>" : `<table><thead><tr><th scope="col">revision</th><th scope="col">loaded</th><th scope="col">state</th><th scope="col"><span class="sr">actions</span></th></tr></thead><tbody>${rows}</tbody></table>`) +
    `</section>`;
}

export interface DashboardView {
  readonly user: string;
  readonly csrf: string;
  readonly flash: string | null;
  readonly now: number;
  readonly pending: readonly ApprovalRecord[];
  readonly standing: readonly StandingApproval[] | null;
  readonly decisions: readonly LoggedDecision[] | null;
  readonly filter: DecisionFilter;
  readonly bundle: BundlePort | null;
  readonly shadow: ShadowReport | null;
}

export function dashboardPage(v: DashboardView): string {
  const flash = v.flash === null ? "" : `<p class="flash" role="status">${e(v.flash)}</p>`;
  const who = `<div class="who">Signed in as <strong>${e(v.user)}</strong> ${postButton("/console/logout", v.csrf, "Sign out")}</div>`;
  const shadow = `<section id="shadow" aria-labelledby="h-shadow"><h2 id="h-shadow">Shadow-mode summary (recent decisions)</h2>${v.shadow === null ? "<p>No decision log file.</p>" : shadowReportSections(v.shadow).replace(/<h2 /g, "<h3 ").replace(/<\/h2>/g, "</h3>")}</section>`;
  return layout("Aegis console", `${who}${flash}${pendingSection(v.pending, v.csrf, v.now)}${standingSection(v.standing, v.csrf)}${decisionsSection(v.decisions, v.filter)}${bundleSection(v.bundle, v.csrf)}${shadow}`, true);
}
