// What the ext_proc stream does to a response body Aegis reads: each JSON-RPC message in it
// (the whole JSON body, or each SSE `message` event) goes through the plan's message rewrite
// (tools/list filter, then sanitize.response). A message nothing changed keeps its exact bytes.
import { SseSplitter, withData } from "./sse-events.ts";

export interface MessageRewrite {
  /** The message to send on (the same object when unchanged). */
  (message: unknown): unknown;
}

export interface BodyTransform {
  /** Bytes to send on for this chunk (possibly none, held until an event completes). */
  push(chunk: Buffer, endOfStream: boolean): Buffer;
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** A JSON body: held whole, rewritten at its end. A body that is not JSON passes unchanged. */
export function jsonBodyTransform(rewrite: MessageRewrite, maxBytes: number): BodyTransform {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    push(chunk, endOfStream) {
      size += chunk.length;
      if (size > maxBytes) throw new Error(`response body exceeds ${maxBytes} bytes`);
      chunks.push(chunk);
      if (!endOfStream) return Buffer.alloc(0);
      const whole = Buffer.concat(chunks);
      let parsed: unknown;
      try {
        parsed = JSON.parse(strictUtf8.decode(whole));
      } catch {
        return whole;
      }
      const out = Array.isArray(parsed) ? rewriteBatch(parsed, rewrite) : rewrite(parsed);
      return out === parsed ? whole : Buffer.from(JSON.stringify(out), "utf8");
    },
  };
}

function rewriteBatch(batch: unknown[], rewrite: MessageRewrite): unknown {
  let changed = false;
  const out = batch.map((m) => {
    const next = rewrite(m);
    changed ||= next !== m;
    return next;
  });
  return changed ? out : batch;
}

/** An SSE body: rewritten event by event as events complete, never held whole. */
export function sseBodyTransform(rewrite: MessageRewrite, maxEventBytes: number): BodyTransform {
  const splitter = new SseSplitter();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let held = 0;
  return {
    push(chunk, endOfStream) {
      const text = decoder.decode(chunk, { stream: !endOfStream });
      const events = splitter.push(text);
      let out = "";
      for (const event of events) {
        if (event.type !== "message" || event.data === null) {
          out += event.raw;
          continue;
        }
        let message: unknown;
        try {
          message = JSON.parse(event.data);
        } catch {
          out += event.raw;
          continue;
        }
        const next = rewrite(message);
        out += next === message ? event.raw : withData(event, JSON.stringify(next));
      }
      held = events.length === 0 ? held + chunk.length : 0;
      if (held > maxEventBytes) throw new Error(`an SSE event exceeds ${maxEventBytes} bytes`);
      if (endOfStream) out += splitter.rest();
      return Buffer.from(out, "utf8");
    },
  };
}
