// Request parameters of a given serialized size, shaped like a real call's body: the payment
// fields the policy reads plus a metadata object of many short strings (as tool arguments are).
export const PAYMENT_PARAMS = { amount: 1200, currency: "usd" } as const;

export function paramsOfSize(bytes: number): Record<string, unknown> {
  const base = JSON.stringify(PAYMENT_PARAMS).length;
  if (bytes <= base) return { ...PAYMENT_PARAMS };
  const metadata: Record<string, string> = {};
  const params = { ...PAYMENT_PARAMS, metadata };
  let size = JSON.stringify(params).length;
  for (let i = 0; size < bytes; i++) {
    const key = `k${String(i).padStart(4, "0")}`;
    const room = bytes - size - key.length - 6;
    const value = "x".repeat(Math.max(0, Math.min(90, room)));
    metadata[key] = value;
    size += key.length + value.length + 6;
  }
  return params;
}
