// Bundle history and rollback on the admin port, behind the admin bearer token:
//   GET  /v1/bundle/history    the kept good bundles, newest first, the live one marked
//   POST /v1/bundle/rollback   {"revision": "...", "by": "..."}: switch to a kept bundle, pinned
import { isAegisError } from "../errors/registry.ts";
import { requireAdmin } from "../http/admin-auth.ts";
import { readJsonBody, sendJson } from "../http/body.ts";
import { HttpError } from "../http/http-error.ts";
import type { Route } from "../http/route.ts";
import type { BundleHistory } from "./bundle-history.ts";
import type { BundleReloader } from "./bundle-reloader.ts";

export function bundleHistoryView(reloader: BundleReloader, history: BundleHistory): { revision: string; loaded_at: string; live: boolean }[] {
  const live = reloader.status();
  const pinnedId = live.rollback?.id;
  let marked = false;
  return history.entries().map((e) => {
    // The live entry: the pinned one during a rollback, else the newest of the live revision.
    const isLive = !marked && (pinnedId !== undefined ? e.id === pinnedId : e.revision === live.revision);
    if (isLive) marked = true;
    return { revision: e.revision, loaded_at: e.loaded_at, live: isLive };
  });
}

export function bundleRoutes(opts: { reloader: BundleReloader; history: BundleHistory; adminToken: string }): Route[] {
  const { reloader, history, adminToken } = opts;
  return [
    {
      method: "GET",
      path: "/v1/bundle/history",
      handler: async (req, res) => {
        requireAdmin(req, adminToken);
        sendJson(res, 200, { live: reloader.status(), history: bundleHistoryView(reloader, history) });
      },
    },
    {
      method: "POST",
      path: "/v1/bundle/rollback",
      handler: async (req, res) => {
        requireAdmin(req, adminToken);
        const body = (await readJsonBody(req)) as Record<string, unknown> | null;
        const revision = body?.revision;
        const by = body?.by;
        if (typeof revision !== "string" || revision === "" || typeof by !== "string" || by.trim() === "") throw new HttpError(400, "invalid_request", 'the body needs "revision" and "by"');
        try {
          sendJson(res, 200, { live: await reloader.rollback(revision, by) });
        } catch (err) {
          if (isAegisError(err, "AEGIS_ERR_BUNDLE_HISTORY")) throw HttpError.of(err, "bundle_revision_not_kept");
          throw err;
        }
      },
    },
  ];
}
