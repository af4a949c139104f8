// x-aegis-budget-remaining: "name=remaining" per budget, sorted by name, comma separated, so
// agents can slow down before they hit budget_exceeded. Names are percent-encoded when they
// hold characters outside a header token.
export function budgetRemainingHeader(remaining: Readonly<Record<string, number>>): string | null {
  const parts = Object.keys(remaining)
    .filter((name) => Number.isFinite(remaining[name]))
    .sort()
    .map((name) => `${/^[A-Za-z0-9._~-]+$/.test(name) ? name : encodeURIComponent(name)}=${remaining[name]}`);
  return parts.length === 0 ? null : parts.join(", ");
}
