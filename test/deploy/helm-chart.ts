// The real Helm CLI (provisioned by scripts/setup.sh helm) on deploy/helm/aegis, and the
// rendered manifests as plain objects.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT } from "../support/opa.ts";

export const CHART_DIR = join(REPO_ROOT, "deploy", "helm", "aegis");
export const EXAMPLES_DIR = join(REPO_ROOT, "deploy", "helm", "examples");

// Kubernetes objects are loosely typed here on purpose: the tests assert on their shape.
export type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function helmBinary(): string {
  const path = process.env.AEGIS_HELM ?? join(REPO_ROOT, ".tools", "bin", "helm");
  if (!existsSync(path)) throw new Error(`helm not found at ${path}: run scripts/setup.sh helm`);
  return path;
}

export interface HelmResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function helm(args: readonly string[]): HelmResult {
  const r = spawnSync(helmBinary(), args, { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000, env: { ...process.env, HELM_CACHE_HOME: join(REPO_ROOT, ".tools", "cache", "helm") } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `helm template` with --set/--set-json/-f arguments; throws with Helm's message when rendering fails. */
export function render(args: readonly string[] = [], release = "aegis", namespace = "aegis-system"): Manifest[] {
  const r = helm(["template", release, CHART_DIR, "--namespace", namespace, ...args]);
  if (r.code !== 0) throw new Error(r.stderr.trim());
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Manifest).filter((m) => m !== null);
}

export function one(manifests: readonly Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m["kind"] === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0]!;
}

/** The aegis container of the rendered Deployment. */
export function container(manifests: readonly Manifest[]): Manifest {
  return one(manifests, "Deployment")["spec"]["template"]["spec"]["containers"].find((c: Manifest) => c["name"] === "aegis");
}

/** aegis.yaml as rendered into the ConfigMap. */
export function configText(manifests: readonly Manifest[]): string {
  return one(manifests, "ConfigMap")["data"]["aegis.yaml"] as string;
}
