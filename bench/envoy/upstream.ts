// The tool upstream for the end-to-end harness: answers every request 200 with a small JSON body,
// as a payments API would acknowledge a payment intent.
// Usage: node bench/envoy/upstream.ts [host:port]   (prints "listening host:port" when bound)
import { createServer } from "node:http";

const [host = "127.0.0.1", port = "0"] = (process.argv[2] ?? "127.0.0.1:0").split(":");
const BODY = JSON.stringify({ id: "pi_bench", object: "payment_intent", status: "requires_confirmation" });

const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(BODY) });
    res.end(BODY);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), host, () => {
  const address = server.address();
  process.stdout.write(`listening ${host}:${typeof address === "object" && address !== null ? address.port : port}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => server.close(() => process.exit(0)));
