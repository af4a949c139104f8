// The policy input handed to Rego (docs/contracts.md §2).

export type IdentitySource = "jwt" | "spiffe" | "header" | "none";

export interface CallChainFacts {
  readonly parent: string | null;
  readonly depth: number;
  readonly verified: boolean;
  readonly error: string | null;
}

/** Local time in each zone a schedule names; set only for an agent with schedules (src/input/schedule-clock.ts). */
export interface ScheduleClock {
  readonly unix_ms: number;
  readonly zones: Readonly<Record<string, { readonly day: string; readonly minute: number }>>;
}

export interface PolicyInput {
  readonly tenant: string | null;
  readonly agent: string | null;
  readonly identity_source: IdentitySource;
  readonly tool: string | null;
  readonly action: string | null;
  readonly params: Readonly<Record<string, unknown>>;
  readonly host: string;
  // fromCheckRequest always sets port and scheme; hand-written inputs may leave them out, which
  // Rego reads as null and "" (no port named, scheme unknown).
  /** The port the Host header names; null when it names none (the scheme's default). */
  readonly port?: number | null;
  /** "http", "https" or "" when unknown; decides which ports a portless egress entry admits. */
  readonly scheme?: string;
  readonly method: string;
  readonly path: string;
  readonly truncated_body: boolean;
  /** Set (true) only when the body is one Aegis does not read (multipart, text, binary): its parameters are unknown. */
  readonly unread_body?: boolean;
  readonly call_chain: CallChainFacts;
  readonly budgets: Readonly<Record<string, { readonly spent: number }>>;
  /**
   * Set only when the tool is an MCP server (SPEC §7): the JSON-RPC method (GET, DELETE or
   * response for transport requests without one); null when a partial body hid it.
   */
  readonly mcp?: { readonly method: string | null };
  readonly now?: ScheduleClock;
}
