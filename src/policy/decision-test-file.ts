// The one rule for what a decision test file is, shared by the policy loader (which leaves these
// files out) and `aegis test` (which runs exactly these): a YAML file named `*_test.yaml` or
// `*.test.yaml`, or any YAML file under a `tests/` folder.
const TEST_SUFFIXES = ["_test.yaml", "_test.yml", ".test.yaml", ".test.yml"];
const YAML_EXTENSIONS = [".yaml", ".yml"];

/** `relativePath` is relative to the policy directory being walked, so a `tests/` folder above it does not count. */
export function isDecisionTestFile(relativePath: string): boolean {
  const segments = relativePath.split(/[\\/]/);
  const name = segments[segments.length - 1] ?? "";
  if (!YAML_EXTENSIONS.some((ext) => name.endsWith(ext))) return false;
  return TEST_SUFFIXES.some((suffix) => name.endsWith(suffix)) || segments.slice(0, -1).includes("tests");
}
