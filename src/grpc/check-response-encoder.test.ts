// The hand-written CheckResponse encoder writes exactly the bytes protobufjs writes, for every
// shape Aegis answers with, and hands any other shape back to protobufjs.
import fc from "fast-check";
import type { ServiceDefinition } from "@grpc/proto-loader";
import { describe, expect, it } from "vitest";
import { encodeCheckResponse } from "./check-response-encoder.ts";
import type { CheckResponse, HeaderValueOption, Struct, StructValue } from "./ext-authz-types.ts";
import { loadPackageDefinition, loadProtos } from "./load-protos.ts";

const generic = (loadPackageDefinition()["envoy.service.auth.v3.Authorization"] as ServiceDefinition)["Check"]!.responseSerialize;
const served = loadProtos().authorization["Check"]!.responseSerialize;

// Well-formed Unicode of every width, short (one-byte length) and long (multi-byte length).
const text = fc.oneof(fc.string({ maxLength: 12, unit: "grapheme" }), fc.string({ minLength: 40, maxLength: 300, unit: "grapheme" }));
const header: fc.Arbitrary<HeaderValueOption> = fc.record({
  header: fc.record({ key: text, value: text, raw_value: fc.uint8Array({ maxLength: 3 }).map((b) => Buffer.from(b)) }),
  append: fc.constant(null),
  append_action: fc.constantFrom("APPEND_IF_EXISTS_OR_ADD", "ADD_IF_ABSENT", "OVERWRITE_IF_EXISTS_OR_ADD", "OVERWRITE_IF_EXISTS"),
  keep_empty_value: fc.boolean(),
});
const { value: structValue } = fc.letrec<{ value: StructValue; struct: Struct }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant({ kind: "nullValue", nullValue: "NULL_VALUE" } as const),
    fc.double().map((numberValue) => ({ kind: "numberValue", numberValue }) as const),
    text.map((stringValue) => ({ kind: "stringValue", stringValue }) as const),
    fc.boolean().map((boolValue) => ({ kind: "boolValue", boolValue }) as const),
    tie("struct").map((s) => ({ kind: "structValue", structValue: s as Struct }) as const),
    fc.array(tie("value"), { maxLength: 3 }).map((values) => ({ kind: "listValue", listValue: { values: values as StructValue[] } }) as const),
  ),
  struct: fc.dictionary(text, tie("value"), { maxKeys: 4 }).map((fields) => ({ fields: fields as Record<string, StructValue> })),
}));
const metadata = fc.option(fc.dictionary(text, structValue, { maxKeys: 12 }).map((fields): Struct => ({ fields })));
const status = fc.option(fc.record({ code: fc.constantFrom(0, 3, 7, 16), message: text, details: fc.constant([]) }));

const okResponse: fc.Arbitrary<CheckResponse> = fc.record({
  status,
  http_response: fc.constant("ok_response" as const),
  ok_response: fc.record({
    headers: fc.array(header, { maxLength: 4 }),
    dynamic_metadata: fc.constant(null),
    headers_to_remove: fc.array(text, { maxLength: 3 }),
    response_headers_to_add: fc.array(header, { maxLength: 2 }),
    query_parameters_to_set: fc.array(fc.record({ key: text, value: text }), { maxLength: 3 }),
    query_parameters_to_remove: fc.array(text, { maxLength: 3 }),
  }),
  dynamic_metadata: metadata,
});
const deniedResponse = fc.record({
  status,
  http_response: fc.constant("denied_response" as const),
  denied_response: fc.record({
    status: fc.record({ code: fc.constantFrom("Empty" as const, "OK" as const, "BadRequest" as const, "Forbidden" as const) }),
    headers: fc.array(header, { maxLength: 3 }),
    body: fc.oneof(text, fc.string({ minLength: 20_000, maxLength: 20_001 })),
  }),
  dynamic_metadata: metadata,
}) as fc.Arbitrary<CheckResponse>;

describe("encodeCheckResponse", () => {
  it("writes the bytes protobufjs writes for any ok or denied response", () => {
    fc.assert(
      fc.property(fc.oneof(okResponse, deniedResponse), (response) => {
        const bytes = encodeCheckResponse(response);
        expect(bytes).not.toBeNull();
        expect(Buffer.compare(bytes!, generic(response))).toBe(0);
      }),
      { numRuns: 400 },
    );
  });

  it("hands a shape it does not write back to protobufjs, which the served serializer then uses", () => {
    const withDetails: CheckResponse = {
      status: { code: 7, message: "no", details: [{ type_url: "type.googleapis.com/google.protobuf.Empty", value: Buffer.alloc(0) }] },
      http_response: "denied_response",
      denied_response: { status: { code: "PaymentRequired" as never }, headers: [], body: "" },
      dynamic_metadata: null,
    };
    expect(encodeCheckResponse(withDetails)).toBeNull();
    expect(Buffer.compare(served(withDetails), generic(withDetails))).toBe(0);
    const unknownStatus = { ...withDetails, status: { code: 7, message: "no", details: [] } } as CheckResponse;
    expect(encodeCheckResponse(unknownStatus)).toBeNull();
    expect(Buffer.compare(served(unknownStatus), generic(unknownStatus))).toBe(0);
  });
});
