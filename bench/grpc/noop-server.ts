// The transport floor: a grpc-js ext_authz server whose Check allows at once, with no input
// mapping, evaluation or state. Aegis runs on the same grpc-js and the same proto loading, so
// the gap between the two is what Aegis's own work costs.
// Usage: node bench/grpc/noop-server.ts [host:port]   (prints "listening host:port" when bound)
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import type { CheckRequest, CheckResponse } from "../../src/grpc/ext-authz-types.ts";
import { loadProtos } from "../../src/grpc/load-protos.ts";

const ALLOW: CheckResponse = {
  status: { code: 0, message: "", details: [] },
  dynamic_metadata: null,
  http_response: "ok_response",
  ok_response: { headers: [], dynamic_metadata: null, headers_to_remove: [], response_headers_to_add: [], query_parameters_to_set: [], query_parameters_to_remove: [] },
};

const addr = process.argv[2] ?? "127.0.0.1:0";
const server = new Server();
server.addService(loadProtos().authorization, {
  Check(_call: ServerUnaryCall<CheckRequest, CheckResponse>, callback: sendUnaryData<CheckResponse>) {
    callback(null, ALLOW);
  },
});
server.bindAsync(addr, ServerCredentials.createInsecure(), (err, port) => {
  if (err !== null) {
    process.stderr.write(`noop-server: cannot bind ${addr}: ${err.message}\n`);
    process.exit(1);
  }
  process.stdout.write(`listening ${addr.replace(/:\d+$/, "")}:${port}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => server.tryShutdown(() => process.exit(0)));
