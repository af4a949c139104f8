// Console sessions: the admin token is checked once at login; the browser then holds only a
// random session id in an HttpOnly, SameSite=Strict cookie (scripts cannot read it, other sites
// cannot send it). Each session has its own CSRF token, required on every state-changing form.
// In memory: a restart logs everyone out, and replicas each keep their own sessions.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "aegis_console";
export const SESSION_TTL_MS = 8 * 3600_000;
const MAX_SESSIONS = 1000;

export interface ConsoleSession {
  readonly id: string;
  readonly csrf: string;
  readonly expiresAt: number;
  /** Who signed in: recorded as the approver of what they resolve. */
  readonly user: string;
  /** The message the next page shows once (the outcome of the last form). */
  flash: string | null;
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/** Constant-time string comparison (over digests, so lengths leak nothing). */
export function sameSecret(a: string, b: string): boolean {
  return a !== "" && b !== "" && timingSafeEqual(digest(a), digest(b));
}

export class ConsoleSessions {
  readonly #sessions = new Map<string, ConsoleSession>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  create(user: string): ConsoleSession {
    const now = this.#now();
    for (const [id, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(id);
    // Oldest first: a flood of logins evicts the oldest sessions, never grows without bound.
    while (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value as string);
    const session: ConsoleSession = { id: randomBytes(32).toString("base64url"), csrf: randomBytes(32).toString("base64url"), expiresAt: now + SESSION_TTL_MS, user, flash: null };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session named by the request's cookie, or null. */
  fromRequest(req: IncomingMessage): ConsoleSession | null {
    const id = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (id === null) return null;
    const session = this.#sessions.get(id);
    if (session === undefined) return null;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return null;
    }
    return session;
  }

  end(session: ConsoleSession): void {
    this.#sessions.delete(session.id);
  }
}

export function cookieValue(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** Set-Cookie for a session; Secure when the console is reached over HTTPS (a TLS-terminating proxy says so). */
export function sessionCookie(session: ConsoleSession | null, secure: boolean): string {
  const attrs = `Path=/console; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
  return session === null ? `${SESSION_COOKIE}=; ${attrs}; Max-Age=0` : `${SESSION_COOKIE}=${session.id}; ${attrs}; Max-Age=${SESSION_TTL_MS / 1000}`;
}

/**
 * Failed sign-ins per client address in a sliding minute: past the limit, sign-in answers 429
 * until the minute is over, even with the right token, so the admin token cannot be guessed
 * at network speed. Bounded: at most 10,000 addresses are tracked (the oldest are forgotten).
 */
export class LoginThrottle {
  static readonly WINDOW_MS = 60_000;
  static readonly MAX_FAILURES = 10;
  readonly #failures = new Map<string, number[]>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Milliseconds until this address may try again; 0 when it may now. */
  retryAfterMs(address: string): number {
    const recent = this.#recent(address);
    if (recent.length < LoginThrottle.MAX_FAILURES) return 0;
    return Math.max(1, (recent[0] as number) + LoginThrottle.WINDOW_MS - this.#now());
  }

  fail(address: string): void {
    const recent = this.#recent(address);
    recent.push(this.#now());
    this.#failures.delete(address);
    while (this.#failures.size >= 10_000) this.#failures.delete(this.#failures.keys().next().value as string);
    this.#failures.set(address, recent);
  }

  #recent(address: string): number[] {
    const since = this.#now() - LoginThrottle.WINDOW_MS;
    return (this.#failures.get(address) ?? []).filter((t) => t > since);
  }
}
