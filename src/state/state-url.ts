import { AegisError } from "../errors/registry.ts";

export const DEFAULT_STATE_URL = "sqlite:./data/aegis.db";

/**
 * NORMAL (the default, with WAL): a commit survives the process being killed (kill -9), since it
 * is in the OS before the call returns; only a power loss or kernel crash may lose the last
 * commits. FULL also fsyncs every commit: power-loss durable, about 6× slower per reservation.
 */
export type SqliteSynchronous = "normal" | "full";

export type StateLocation =
  | {
      readonly kind: "sqlite";
      readonly path: string;
      readonly synchronous: SqliteSynchronous;
      /** `?initialize=true`: a zero-length file becomes a new, empty database instead of being refused. */
      readonly initialize: boolean;
    }
  | { readonly kind: "redis"; readonly url: string };

/**
 * `sqlite:PATH[?synchronous=full|normal][&initialize=true]` (PATH relative to the working directory, or absolute) or
 * `redis://[user:password@]HOST:PORT[/DB]` (`rediss://` for TLS).
 */
export function parseStateUrl(url: string): StateLocation {
  if (url.startsWith("sqlite:")) {
    const [path = "", query = ""] = url.slice("sqlite:".length).split("?", 2);
    if (path === "") throw invalid(url, "sqlite: needs a file path, e.g. sqlite:./data/aegis.db");
    const synchronous = new URLSearchParams(query).get("synchronous") ?? "normal";
    if (synchronous !== "normal" && synchronous !== "full") throw invalid(url, "synchronous must be normal or full");
    const initialize = new URLSearchParams(query).get("initialize") ?? "false";
    if (initialize !== "true" && initialize !== "false") throw invalid(url, "initialize must be true or false");
    return { kind: "sqlite", path, synchronous, initialize: initialize === "true" };
  }
  if (url.startsWith("redis://") || url.startsWith("rediss://")) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (cause) {
      throw invalid(url, "not a valid URL", cause);
    }
    if (parsed.hostname === "") throw invalid(url, "redis URL needs a host");
    const db = parsed.pathname.replace(/^\//, "");
    if (db !== "" && !/^\d+$/.test(db)) throw invalid(url, "the redis database must be a number, e.g. redis://host:6379/2");
    return { kind: "redis", url };
  }
  throw invalid(url, "expected sqlite:PATH or redis://HOST:PORT[/DB]");
}

function invalid(url: string, why: string, cause?: unknown): AegisError {
  // Redis URLs may carry a password: never echo them whole.
  const shown = url.replace(/\/\/[^@/]*@/, "//***@");
  return new AegisError("AEGIS_ERR_CONFIG_INVALID", `state URL ${shown}: ${why}`, {
    details: { state_url: shown },
    ...(cause === undefined ? {} : { cause }),
  });
}
