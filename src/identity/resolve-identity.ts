// Who is calling, in the order of SPEC §4: a verified JWT, then the mTLS SPIFFE ID, then the
// identity headers when trusted. Runs before the (pure) input stage, since JWT checks are async.
import { HEADER } from "../input/header-names.ts";
import type { ResolvedIdentity } from "../input/from-check-request.ts";
import type { RequestFacts } from "../input/request-facts.ts";
import { identityFromHeaders } from "./header-identity.ts";
import { type JwtConfig, type JwtVerifier, createJwtVerifier } from "./jwt.ts";
import { type SpiffeConfig, createSpiffeMatcher } from "./spiffe.ts";

export interface IdentityConfig {
  readonly jwt?: JwtConfig | null;
  readonly spiffe?: SpiffeConfig;
  readonly trustIdentityHeaders?: boolean;
}

export type IdentityResolver = (request: Pick<RequestFacts, "headers" | "peerPrincipal">) => Promise<ResolvedIdentity | null>;

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/-]+=*)[ \t]*$/i;

export function createIdentityResolver(config: IdentityConfig): IdentityResolver {
  const jwt: JwtVerifier | null = config.jwt ? createJwtVerifier(config.jwt) : null;
  const spiffe = createSpiffeMatcher(config.spiffe);
  const trustHeaders = config.trustIdentityHeaders === true;
  return async ({ headers, peerPrincipal }) => {
    const bearer = BEARER.exec(headers[HEADER.authorization] ?? "")?.[1];
    if (jwt !== null && bearer !== undefined) {
      const fromJwt = await jwt(bearer);
      if (fromJwt !== null) return { ...fromJwt, source: "jwt" };
    }
    const fromPeer = peerPrincipal === "" ? null : spiffe(peerPrincipal);
    if (fromPeer !== null) return { ...fromPeer, source: "spiffe" };
    const fromHeaders = trustHeaders ? identityFromHeaders(headers) : null;
    return fromHeaders === null ? null : { ...fromHeaders, source: "header" };
  };
}
