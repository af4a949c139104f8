// Bounds on what reaches Rego: nesting depth (the params object itself is depth 1) and the
// total number of entries (object members and array elements, at every level).

export interface ParamLimits {
  readonly maxParams: number;
  readonly maxDepth: number;
}

/** null when within limits, else the reason. Stops walking at the first limit crossed. */
export function checkParamLimits(params: unknown, limits: ParamLimits): string | null {
  let entries = 0;
  const stack: { value: unknown; depth: number }[] = [{ value: params, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth > limits.maxDepth) return `parameters nest deeper than ${limits.maxDepth} levels`;
    const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
    entries += children.length;
    if (entries > limits.maxParams) return `parameters have more than ${limits.maxParams} entries`;
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return null;
}
