// Identity from x-aegis-tenant / x-aegis-agent, honoured only when the operator says a trusted
// proxy sets them (identity.trust_headers); otherwise any agent could claim to be any other.
import { HEADER } from "../input/header-names.ts";

export function identityFromHeaders(headers: Readonly<Record<string, string>>): { tenant: string; agent: string } | null {
  const agent = headers[HEADER.agent]?.trim() ?? "";
  const tenant = headers[HEADER.tenant]?.trim() || "default";
  // A comma means the header came more than once; which value to trust is unknowable.
  if (agent === "" || agent.includes(",") || tenant.includes(",")) return null;
  return { tenant, agent };
}
