// One header for Envoy to set. Envoy rejects the whole CheckResponse when a header value holds
// CR, LF or NUL, so values are scrubbed of control characters before they leave.
import type { HeaderAppendAction, HeaderValueOption } from "../../grpc/ext-authz-types.ts";

const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/g;
// Read only by the serializer; a zero-length Buffer has nothing to mutate, so one serves every header.
const NO_RAW_VALUE = Buffer.alloc(0);

export function headerValue(value: string): string {
  return value.replace(CONTROL, "");
}

export function headerOption(key: string, value: string, action: HeaderAppendAction = "OVERWRITE_IF_EXISTS_OR_ADD"): HeaderValueOption {
  return {
    header: { key, value: headerValue(value), raw_value: NO_RAW_VALUE },
    append: null,
    append_action: action,
    keep_empty_value: false,
  };
}
