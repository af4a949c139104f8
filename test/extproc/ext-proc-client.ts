// Talks ext_proc to a running `aegis serve` the way Envoy does: one bidirectional Process stream
// per HTTP request, the ext_authz decision forwarded as metadata_context. For attacks Envoy
// would never send but a misconfigured or hostile peer could.
import { credentials, loadPackageDefinition, type Client, type ClientDuplexStream } from "@grpc/grpc-js";
import { loadPackageDefinition as loadAegisProtos } from "../../src/grpc/load-protos.ts";
import { toStruct, type JsonValue } from "../../src/grpc/struct.ts";

export type Message = Record<string, unknown>;

interface ProcessorStub extends Client {
  Process(): ClientDuplexStream<Message, Message>;
}

export interface ExtProcSession {
  /** Sends a message and waits for the next answer. */
  send(message: Message): Promise<Message>;
  end(): void;
}

export function extProcClient(grpcPort: number): { open(): ExtProcSession; close(): void } {
  const tree = loadPackageDefinition(loadAegisProtos()) as unknown as {
    envoy: { service: { ext_proc: { v3: { ExternalProcessor: new (a: string, c: ReturnType<typeof credentials.createInsecure>) => ProcessorStub } } } };
  };
  const client = new tree.envoy.service.ext_proc.v3.ExternalProcessor(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
  return {
    open() {
      const stream = client.Process();
      const waiting: ((m: Message) => void)[] = [];
      const failures: ((e: Error) => void)[] = [];
      stream.on("data", (m: Message) => waiting.shift()?.(m));
      stream.on("error", (e: Error) => failures.forEach((f) => f(e)));
      return {
        send(message) {
          return new Promise((resolve, reject) => {
            waiting.push(resolve);
            failures.push(reject);
            stream.write(message);
          });
        },
        end: () => stream.end(),
      };
    },
    close: () => client.close(),
  };
}

/** The metadata Envoy forwards from ext_authz (fields as Aegis's ext_authz answer writes them). */
export function forwarded(fields: Record<string, JsonValue>): Message {
  return { filter_metadata: { "envoy.filters.http.ext_authz": toStruct(fields) } };
}

export function headers(map: Record<string, string>, endOfStream = false): Message {
  return { headers: { headers: Object.entries(map).map(([key, value]) => ({ key, raw_value: Buffer.from(value) })) }, end_of_stream: endOfStream };
}
