// One ext_proc stream (one HTTP request through Envoy): its first headers (the request's, or the
// response's for a call whose only rewrite is its response) fix the plan from the forwarded
// ext_authz decision, then the request body is redacted, the response headers choose
// how the body is read, and response bodies are rewritten message by message. Anything Aegis
// cannot do safely ends the call with an immediate error reply: it fails closed, never open.
import type { ServerDuplexStream } from "@grpc/grpc-js";
import { headerValue } from "../authz/response/header-option.ts";
import type { HeaderValueOption } from "../grpc/ext-authz-types.ts";
import type { EngineHolder } from "../engine/engine-holder.ts";
import type { PolicyContext } from "../authz/policy-context.ts";
import type { HeaderMap } from "../grpc/ext-authz-types.ts";
import { toStruct } from "../grpc/struct.ts";
import { type CallPlan, messageRewrite, planCall, type RewriteReport } from "./call-plan.ts";
import { type ForwardedDecision, readForwardedDecision } from "./decision-metadata.ts";
import type { CommonResponse, ProcessingRequest, ProcessingResponse } from "./ext-proc-types.ts";
import type { Redaction } from "./redact-tool-result.ts";
import { redactRequestBody } from "./redact-request-body.ts";
import { type BodyTransform, jsonBodyTransform, sseBodyTransform } from "./response-transform.ts";

export const EXT_PROC_NAMESPACE = "envoy.filters.http.ext_proc";

/** What telemetry hears about a stream; values never, only names, counts and decision ids. */
export interface ExtProcObserver {
  requestRedacted(decision: ForwardedDecision, count: number): void;
  toolsHidden(decision: ForwardedDecision, hidden: readonly string[]): void;
  responseRedacted(decision: ForwardedDecision, redactions: readonly Redaction[]): void;
  failed(decision: ForwardedDecision | null, reason: string): void;
}

export interface ExtProcDeps {
  readonly holder: EngineHolder<PolicyContext>;
  readonly observer: ExtProcObserver;
  /** The largest request body redacted and the largest JSON response or SSE event read. */
  readonly maxBodyBytes: number;
}

type Stream = ServerDuplexStream<ProcessingRequest, ProcessingResponse>;

class Refusal extends Error {
  readonly status: "BadRequest" | "BadGateway" | "InternalServerError";
  constructor(status: Refusal["status"], message: string) {
    super(message);
    this.status = status;
  }
}

export function createExtProcHandler(deps: ExtProcDeps): (stream: Stream) => void {
  return (stream) => {
    let decision: ForwardedDecision | null = null;
    let plan: CallPlan | null = null;
    let transform: BodyTransform | null = null;
    // Once a chunk was held or rewritten, every later chunk is sent as a mutation.
    let altered = false;
    const report: RewriteReport = { hidden: [], redactions: [] };
    let closed = false;
    // Messages are answered strictly in order: a slow plan lookup must not let a body overtake it.
    let queue = Promise.resolve();

    const send = (response: ProcessingResponse) => {
      if (!closed) stream.write(response);
    };
    const refuse = (err: unknown) => {
      const refusal = err instanceof Refusal ? err : new Refusal("InternalServerError", err instanceof Error ? err.message : String(err));
      deps.observer.failed(decision, refusal.message);
      send({
        immediate_response: {
          status: { code: refusal.status },
          headers: { set_headers: [headerOption("content-type", "application/json")], remove_headers: [] },
          body: Buffer.from(JSON.stringify({ error: "ext_proc_refused", reason: refusal.message, decision_id: decision?.decision_id ?? null })),
          details: "aegis_ext_proc_refused",
        },
      });
      closed = true;
      stream.end();
    };

    /** The plan of this call, from the decision ext_authz forwarded with the stream's first headers. */
    const planFrom = async (metadata: ProcessingRequest["metadata_context"]): Promise<{ decision: ForwardedDecision; plan: CallPlan }> => {
      const read = readForwardedDecision(metadata);
      if (!read.ok) throw new Refusal("InternalServerError", read.reason);
      decision = read.decision;
      const current = read.decision;
      plan = await deps.holder.use(async (_engine, policy) => planCall(current, policy));
      return { decision: current, plan };
    };

    const handle = async (message: ProcessingRequest) => {
      switch (message.request) {
        case "request_headers": {
          const { decision: current, plan: planned } = await planFrom(message.metadata_context);
          const wantsBody = planned.redactParams !== null && !message.request_headers.end_of_stream;
          send({
            request_headers: { response: {} },
            dynamic_metadata: toStruct({ [EXT_PROC_NAMESPACE]: { decision_id: current.decision_id } }),
            mode_override: {
              request_body_mode: wantsBody ? "BUFFERED" : "NONE",
              response_header_mode: planned.response === null ? "SKIP" : "SEND",
              response_body_mode: planned.response === null ? "NONE" : "STREAMED",
            },
          });
          return;
        }
        case "request_body": {
          const body = message.request_body;
          if (plan?.redactParams == null || decision === null) {
            send({ request_body: { response: {} } });
            return;
          }
          if (!body.end_of_stream) throw new Refusal("BadRequest", "request body arrived in parts; sanitizing needs it whole");
          const result = redactRequestBody({
            body: body.body, contentType: contentTypeOf(requestContentType), names: plan.redactParams, mcp: plan.mcp, maxBytes: deps.maxBodyBytes,
          });
          if (!result.ok) throw new Refusal("BadRequest", result.reason);
          if (result.redacted === 0) {
            send({ request_body: { response: {} } });
            return;
          }
          deps.observer.requestRedacted(decision, result.redacted);
          send({
            request_body: {
              response: {
                header_mutation: { set_headers: [headerOption("content-length", String(result.body.length))], remove_headers: [] },
                body_mutation: { body: result.body },
              },
            },
          });
          return;
        }
        case "response_headers": {
          // A call that only needs its response read (x-aegis-ext-proc: response) opens its
          // stream here: the request went upstream without waiting for Aegis.
          const opened = plan === null ? await planFrom(message.metadata_context) : null;
          const metadata = opened === null ? {} : { dynamic_metadata: toStruct({ [EXT_PROC_NAMESPACE]: { decision_id: opened.decision.decision_id } }) };
          const current: CallPlan | null = opened?.plan ?? plan;
          if (current === null) throw new Refusal("InternalServerError", "ext_proc stream without a plan");
          const response = current.response;
          if (response === null) {
            send({ response_headers: { response: {} }, mode_override: { response_body_mode: "NONE" }, ...metadata });
            return;
          }
          const headers = message.response_headers.headers;
          const encoding = header(headers, "content-encoding");
          const media = (header(headers, "content-type") ?? "").split(";", 1)[0]!.trim().toLowerCase();
          const isJson = media === "application/json" || media.endsWith("+json");
          const isSse = media === "text/event-stream";
          if (message.response_headers.end_of_stream || (!isJson && !isSse && !isSuccess(headers))) {
            send({ response_headers: { response: {} }, mode_override: { response_body_mode: "NONE" }, ...metadata });
            return;
          }
          if (!isJson && !isSse) throw new Refusal("BadGateway", `a response Aegis must read has content-type ${media || "(none)"}, not JSON or SSE`);
          if (encoding !== null && encoding.toLowerCase() !== "identity") throw new Refusal("BadGateway", `a response Aegis must read is ${encoding}-encoded`);
          const rewrite = messageRewrite(response, current.mcp, report);
          transform = isJson ? jsonBodyTransform(rewrite, deps.maxBodyBytes) : sseBodyTransform(rewrite, deps.maxBodyBytes);
          // The rewritten body may differ in length: Envoy sends it chunked instead.
          const common: CommonResponse = { header_mutation: { set_headers: [], remove_headers: ["content-length"] } };
          send({ response_headers: { response: common }, ...(isJson ? { mode_override: { response_body_mode: "BUFFERED" } } : {}), ...metadata });
          return;
        }
        case "response_body": {
          const body = message.response_body;
          if (transform === null || decision === null) {
            send({ response_body: { response: {} } });
            return;
          }
          const hiddenBefore = report.hidden.length;
          const redactedBefore = report.redactions.length;
          const out = transform.push(body.body, body.end_of_stream);
          if (report.hidden.length > hiddenBefore) deps.observer.toolsHidden(decision, report.hidden.slice(hiddenBefore));
          if (report.redactions.length > redactedBefore) deps.observer.responseRedacted(decision, report.redactions.slice(redactedBefore));
          if (!altered && out.equals(body.body)) {
            send({ response_body: { response: {} } });
            return;
          }
          altered = true;
          send({ response_body: { response: { body_mutation: out.length === 0 ? { clear_body: true } : { body: out } } } });
          return;
        }
        case "request_trailers":
          send({ request_trailers: {} });
          return;
        case "response_trailers":
          send({ response_trailers: {} });
          return;
        default:
          throw new Refusal("InternalServerError", "ext_proc message without a phase");
      }
    };

    let requestContentType: HeaderMap | null = null;
    stream.on("data", (message: ProcessingRequest) => {
      if (message.request === "request_headers") requestContentType = message.request_headers.headers;
      queue = queue.then(() => (closed ? undefined : handle(message))).catch(refuse);
    });
    stream.on("end", () => {
      void queue.then(() => {
        if (!closed) {
          closed = true;
          stream.end();
        }
      });
    });
    stream.on("error", () => {
      closed = true;
    });
    stream.on("cancelled", () => {
      closed = true;
    });
  };
}

function contentTypeOf(headers: HeaderMap | null): string | undefined {
  return header(headers, "content-type") ?? undefined;
}

/** A header's value; Envoy sends values as raw_value bytes (newer) or value (older). */
function header(headers: HeaderMap | null, name: string): string | null {
  for (const h of headers?.headers ?? []) {
    if (h.key.toLowerCase() !== name) continue;
    return h.raw_value !== undefined && h.raw_value !== null && h.raw_value.length > 0 ? h.raw_value.toString("utf8") : h.value;
  }
  return null;
}

function isSuccess(headers: HeaderMap | null): boolean {
  const status = Number(header(headers, ":status"));
  return status >= 200 && status < 300;
}

/** A header to set. Envoy's ext_proc reads mutation values from raw_value (value is ignored). */
function headerOption(key: string, value: string): HeaderValueOption {
  return { header: { key, value: "", raw_value: Buffer.from(headerValue(value), "utf8") }, append: null, append_action: "OVERWRITE_IF_EXISTS_OR_ADD", keep_empty_value: false };
}
