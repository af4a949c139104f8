import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { ConsoleSessions, cookieValue, LoginThrottle, SESSION_TTL_MS, sessionCookie } from "./console-session.ts";

const requestWith = (cookie: string | undefined) => ({ headers: cookie === undefined ? {} : { cookie } }) as IncomingMessage;

describe("console sessions", () => {
  it("finds a session by its cookie until it expires, then never again", () => {
    let t = 0;
    const sessions = new ConsoleSessions(() => t);
    const s = sessions.create("alice");
    expect(sessions.fromRequest(requestWith(`other=1; aegis_console=${s.id}`))?.user).toBe("alice");
    expect(sessions.fromRequest(requestWith("aegis_console=forged"))).toBeNull();
    expect(sessions.fromRequest(requestWith(undefined))).toBeNull();
    t = SESSION_TTL_MS;
    expect(sessions.fromRequest(requestWith(`aegis_console=${s.id}`))).toBeNull();
  });

  it("keeps at most 1000 sessions, evicting the oldest", () => {
    const sessions = new ConsoleSessions(() => 0);
    const first = sessions.create("first");
    for (let i = 0; i < 1000; i++) sessions.create(`u${i}`);
    expect(sessions.fromRequest(requestWith(`aegis_console=${first.id}`))).toBeNull();
  });

  it("sets HttpOnly, SameSite=Strict, Path=/console, and Secure only behind HTTPS; clears with Max-Age=0", () => {
    const s = new ConsoleSessions().create("alice");
    expect(sessionCookie(s, false)).toBe(`aegis_console=${s.id}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=28800`);
    expect(sessionCookie(s, true)).toContain("; Secure");
    expect(sessionCookie(null, false)).toMatch(/^aegis_console=; .*Max-Age=0$/);
    expect(cookieValue("a=1;  aegis_console = x ", "aegis_console")).toBe("x");
  });
});

describe("sign-in throttle", () => {
  it("refuses an address after 10 failures in a minute, for the rest of that minute only", () => {
    let t = 0;
    const throttle = new LoginThrottle(() => t);
    for (let i = 0; i < 10; i++) {
      expect(throttle.retryAfterMs("10.0.0.1")).toBe(0);
      throttle.fail("10.0.0.1");
      t += 1000;
    }
    expect(throttle.retryAfterMs("10.0.0.1")).toBe(50_000);
    expect(throttle.retryAfterMs("10.0.0.2")).toBe(0);
    t = 60_001;
    expect(throttle.retryAfterMs("10.0.0.1")).toBe(0);
  });
});
