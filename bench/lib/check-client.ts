// One Check through grpc-js, to confirm that every server under load answers the benchmark
// request the same way (allow or deny) before any latency is compared.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { credentials, loadPackageDefinition, type ServiceClientConstructor } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { AegisError } from "../../src/errors/registry.ts";
import { REPO_ROOT } from "./repo-paths.ts";

export interface CheckAnswer {
  /** google.rpc.Code of CheckResponse.status: 0 allows, 7 denies. */
  readonly statusCode: number;
  readonly kind: "ok" | "denied" | "none";
  readonly httpStatus: string | null;
  readonly body: string;
}

interface CamelCheckResponse {
  status?: { code?: number };
  okResponse?: unknown;
  deniedResponse?: { status?: { code?: string }; body?: string };
}

type CheckFn = (request: unknown, callback: (err: Error | null, response: CamelCheckResponse) => void) => void;

let clientClass: ServiceClientConstructor | undefined;

function authorizationClient(): ServiceClientConstructor {
  if (clientClass !== undefined) return clientClass;
  // camelCase field names, so the request file ghz reads (protobuf JSON) works unchanged here.
  const definition = loadSync(["envoy/service/auth/v3/external_auth.proto"], { includeDirs: [join(REPO_ROOT, "proto")], longs: String, enums: String, defaults: false, oneofs: true });
  const tree = loadPackageDefinition(definition) as unknown as { envoy: { service: { auth: { v3: { Authorization: ServiceClientConstructor } } } } };
  clientClass = tree.envoy.service.auth.v3.Authorization;
  return clientClass;
}

export async function checkOnce(target: string, requestFile: string): Promise<CheckAnswer> {
  const request = JSON.parse(await readFile(requestFile, "utf8")) as unknown;
  const Client = authorizationClient();
  const client = new Client(target, credentials.createInsecure());
  try {
    const check = (client as unknown as { Check: CheckFn }).Check.bind(client);
    const response = await new Promise<CamelCheckResponse>((resolve, reject) => {
      check(request, (err, res) => (err === null ? resolve(res) : reject(new AegisError("AEGIS_ERR_BENCH", `Check on ${target} failed: ${err.message}`, { cause: err }))));
    });
    return {
      statusCode: response.status?.code ?? 0,
      kind: response.okResponse !== undefined && response.okResponse !== null ? "ok" : response.deniedResponse != null ? "denied" : "none",
      httpStatus: response.deniedResponse?.status?.code ?? null,
      body: response.deniedResponse?.body ?? "",
    };
  } finally {
    client.close();
  }
}
