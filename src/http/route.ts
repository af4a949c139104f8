// A route of the admin HTTP port: the approvals API, the console and the server's own endpoints
// each bring theirs, and the server dispatches them.
import type { IncomingMessage, ServerResponse } from "node:http";

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, params: Readonly<Record<string, string>>) => Promise<void>;

export interface Route {
  readonly method: string;
  /** Path with `:name` segments. */
  readonly path: string;
  readonly handler: RouteHandler;
}
