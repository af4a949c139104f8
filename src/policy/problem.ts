// One validation finding, tied to a place in a YAML file. `pointer` is an RFC 6901 JSON
// pointer into the document ("" is the document root); line and col are 1-based.
export interface Problem {
  file: string;
  line: number;
  col: number;
  pointer: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.pointer}: ${p.message}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Sorted by place so output is stable however the stages found the problems.
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      compareText(a.file, b.file) ||
      a.line - b.line ||
      a.col - b.col ||
      compareText(a.pointer, b.pointer) ||
      compareText(a.message, b.message),
  );
}
