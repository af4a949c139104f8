// Parameter paths of `params:` rules: `recipient.country`, `items[].sku`. The Rego library walks
// a fixed number of steps (policies/aegis/params.rego), so a path has at most MAX_PARAM_PATH_STEPS.

/** Each name and each `[]` is one step; the Rego library unrolls exactly this many. */
export const MAX_PARAM_PATH_STEPS = 8;

/** The step that stands for "every element of a list". */
export const EVERY_ELEMENT = "[]";

/** "items[].sku" → ["items", "[]", "sku"]. Expects a path the schema admitted. */
export function paramPathSteps(path: string): string[] {
  return path.split(".").flatMap((part) => {
    const name = part.replace(/(\[\])+$/, "");
    const lists = (part.length - name.length) / EVERY_ELEMENT.length;
    return [name, ...Array.from({ length: lists }, () => EVERY_ELEMENT)];
  });
}
