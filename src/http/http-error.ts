// An error a route handler throws to answer with this status and a JSON {error, message} body.
import { httpStatusOf, type AegisError } from "../errors/registry.ts";

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** An AegisError answered with the HTTP status the error registry gives its code, under an API error name. */
  static of(err: AegisError, code: string): HttpError {
    return new HttpError(httpStatusOf(err), code, err.message);
  }
}
