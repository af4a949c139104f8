// The Rego files that go into a bundle: every *.rego under the library directory except
// *_test.rego (tests stay with `opa test`, never ship), named by their path inside the bundle.
import { readdir, readFile } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";
import { AegisError } from "../errors/registry.ts";

export interface RegoSource {
  /** Path inside the bundle: "<library dir name>/<path below it>", "/"-separated. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

function isShippedRego(name: string): boolean {
  return name.endsWith(".rego") && !name.endsWith("_test.rego");
}

/** Sorted by name (byte order), so builds and revisions do not depend on directory order. */
export async function collectRegoSources(regoDir: string): Promise<RegoSource[]> {
  let entries;
  try {
    entries = await readdir(regoDir, { recursive: true, withFileTypes: true });
  } catch (err) {
    throw new AegisError("AEGIS_ERR_POLICY_READ", `cannot read the Rego directory ${regoDir}: ${(err as Error).message}`, { cause: err });
  }
  const prefix = basename(regoDir);
  const paths = entries
    .filter((e) => e.isFile() && isShippedRego(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  const sources = await Promise.all(
    paths.map(async (path) => ({
      name: [prefix, ...relative(regoDir, path).split(sep)].join("/"),
      bytes: new Uint8Array(await readFile(path)),
    })),
  );
  return sources.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
}

const PACKAGE_LINE = /^\s*package\s+([A-Za-z_][A-Za-z0-9_]*)/m;

/** First segment of the file's package ("aegis" for `package aegis.decision`), or null if none is found. */
export function packageRoot(source: RegoSource): string | null {
  return PACKAGE_LINE.exec(new TextDecoder().decode(source.bytes))?.[1] ?? null;
}
