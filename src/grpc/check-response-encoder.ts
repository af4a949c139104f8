// CheckResponse → protobuf bytes without protobufjs: its fromObject + encode + Writer.finish was
// ~7% of a Check's server CPU (bench/RESULTS.md, profile of the allow path). The output is the
// bytes proto-loader's serializer writes for the same object (check-response-encoder.test.ts
// compares them): fields in number order, present scalars written even when default, map
// entries in key order. A shape this encoder does not know (status details, a deprecated or
// unset member it never writes, an enum name it has no number for) returns null and the caller
// falls back to the generic serializer.
import type { CheckResponse, DeniedHttpResponse, HeaderValueOption, OkHttpResponse, Struct, StructValue } from "./ext-authz-types.ts";

const APPEND_ACTION: Readonly<Record<string, number>> = { APPEND_IF_EXISTS_OR_ADD: 0, ADD_IF_ABSENT: 1, OVERWRITE_IF_EXISTS_OR_ADD: 2, OVERWRITE_IF_EXISTS: 3 };
// The envoy.type.v3.StatusCode names Aegis answers with (HttpStatusCodeName); any other takes the generic path.
const HTTP_STATUS: Readonly<Record<string, number>> = { Empty: 0, OK: 200, BadRequest: 400, Forbidden: 403 };

/** Thrown inside the encoder when the shape is not one it knows; never escapes encodeCheckResponse. */
const UNSUPPORTED = new Error("CheckResponse shape not handled by the encoder");

class Writer {
  buf = Buffer.allocUnsafe(1024);
  pos = 0;

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  varint(value: number): void {
    this.room(5);
    while (value > 0x7f) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buf[this.pos++] = value;
  }

  string(tag: number, value: string): void {
    this.varint(tag);
    // A string is at most 3 bytes per UTF-16 unit; its length prefix is written once its size is known.
    this.room(value.length * 3 + 5);
    if (value.length < 128 / 3) {
      const start = ++this.pos;
      this.pos += this.buf.write(value, start, "utf8");
      this.buf[start - 1] = this.pos - start;
      return;
    }
    const bytes = Buffer.byteLength(value, "utf8");
    this.varint(bytes);
    this.pos += this.buf.write(value, this.pos, "utf8");
  }

  bytes(tag: number, value: Uint8Array): void {
    this.varint(tag);
    this.varint(value.length);
    this.room(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  double(tag: number, value: number): void {
    this.varint(tag);
    this.room(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** Opens a length-delimited sub-message: one byte is reserved for its length (see end). */
  begin(tag: number): number {
    this.varint(tag);
    this.room(1);
    return ++this.pos;
  }

  /** Closes the sub-message opened at `start`, moving it over when its length needs more than a byte. */
  end(start: number): void {
    const length = this.pos - start;
    if (length < 0x80) {
      this.buf[start - 1] = length;
      return;
    }
    let extra = 0;
    for (let rest = length >>> 7; rest > 0; rest >>>= 7) extra++;
    this.room(extra);
    this.buf.copyWithin(start + extra, start, this.pos);
    this.pos = start - 1;
    this.varint(length);
    this.pos = start + extra + length;
  }
}

/** The encoded response, or null when its shape needs the generic serializer. */
export function encodeCheckResponse(response: CheckResponse): Buffer | null {
  const w = new Writer();
  try {
    if (response.status != null) {
      const status = response.status;
      if (status.details != null && status.details.length > 0) return null;
      const at = w.begin(10);
      if (status.code != null) int32(w, 8, status.code);
      if (status.message != null) w.string(18, status.message);
      w.end(at);
    }
    const denied = (response as { denied_response?: DeniedHttpResponse | null }).denied_response;
    if (denied != null) {
      const at = w.begin(18);
      deniedResponse(w, denied);
      w.end(at);
    }
    const ok = (response as { ok_response?: OkHttpResponse | null }).ok_response;
    if (ok != null) {
      const at = w.begin(26);
      okResponse(w, ok);
      w.end(at);
    }
    if (response.dynamic_metadata != null) {
      const at = w.begin(34);
      struct(w, response.dynamic_metadata);
      w.end(at);
    }
  } catch (err) {
    if (err === UNSUPPORTED) return null;
    throw err;
  }
  return Buffer.from(w.buf.buffer, w.buf.byteOffset, w.pos);
}

function int32(w: Writer, tag: number, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) throw UNSUPPORTED;
  w.varint(tag);
  w.varint(value);
}

function deniedResponse(w: Writer, denied: DeniedHttpResponse): void {
  if (denied.status != null) {
    const code = HTTP_STATUS[denied.status.code as string];
    if (code === undefined) throw UNSUPPORTED;
    const at = w.begin(10);
    int32(w, 8, code);
    w.end(at);
  }
  headers(w, 18, denied.headers);
  if (denied.body != null) w.string(26, denied.body);
}

function okResponse(w: Writer, ok: OkHttpResponse): void {
  headers(w, 18, ok.headers);
  if (ok.dynamic_metadata != null) throw UNSUPPORTED;
  strings(w, 42, ok.headers_to_remove);
  headers(w, 50, ok.response_headers_to_add);
  if (ok.query_parameters_to_set != null) {
    for (const q of ok.query_parameters_to_set) {
      const at = w.begin(58);
      if (q.key != null) w.string(10, q.key);
      if (q.value != null) w.string(18, q.value);
      w.end(at);
    }
  }
  strings(w, 66, ok.query_parameters_to_remove);
}

function strings(w: Writer, tag: number, values: readonly string[] | null | undefined): void {
  if (values != null) for (const value of values) w.string(tag, value);
}

function headers(w: Writer, tag: number, options: readonly HeaderValueOption[] | null | undefined): void {
  if (options == null) return;
  for (const option of options) {
    const at = w.begin(tag);
    headerValueOption(w, option);
    w.end(at);
  }
}

function headerValueOption(w: Writer, option: HeaderValueOption): void {
  const { header } = option;
  if (header != null) {
    const at = w.begin(10);
    if (header.key != null) w.string(10, header.key);
    if (header.value != null) w.string(18, header.value);
    if (header.raw_value != null) w.bytes(26, header.raw_value);
    w.end(at);
  }
  if (option.append != null) throw UNSUPPORTED;
  if (option.append_action != null) {
    const action = APPEND_ACTION[option.append_action];
    if (action === undefined) throw UNSUPPORTED;
    int32(w, 24, action);
  }
  if (option.keep_empty_value != null) {
    w.varint(32);
    w.varint(option.keep_empty_value ? 1 : 0);
  }
}

function struct(w: Writer, value: Struct): void {
  const { fields } = value;
  if (fields == null) return;
  for (const key of Object.keys(fields)) {
    const entry = w.begin(10);
    w.string(10, key);
    const value = w.begin(18);
    structValue(w, fields[key]!);
    w.end(value);
    w.end(entry);
  }
}

function structValue(w: Writer, value: StructValue): void {
  // As protobufjs's Value.fromObject reads it: every member present is written, `kind` is ignored.
  const v = value as { nullValue?: unknown; numberValue?: number; stringValue?: string; boolValue?: boolean; structValue?: Struct; listValue?: { values: readonly StructValue[] } };
  if (v.nullValue != null) {
    if (v.nullValue !== "NULL_VALUE" && v.nullValue !== 0) throw UNSUPPORTED;
    int32(w, 8, 0);
  }
  if (v.numberValue != null) w.double(17, Number(v.numberValue));
  if (v.stringValue != null) w.string(26, v.stringValue);
  if (v.boolValue != null) {
    w.varint(32);
    w.varint(v.boolValue ? 1 : 0);
  }
  if (v.structValue != null) {
    const at = w.begin(42);
    struct(w, v.structValue);
    w.end(at);
  }
  if (v.listValue != null) {
    const list = w.begin(50);
    if (v.listValue.values != null) {
      for (const item of v.listValue.values) {
        const at = w.begin(10);
        structValue(w, item);
        w.end(at);
      }
    }
    w.end(list);
  }
}
