export type * from "./state-store.ts";
export { openStateStore } from "./open-state-store.ts";
export { DEFAULT_STATE_URL, parseStateUrl } from "./state-url.ts";
export { windowBounds } from "./budget-window.ts";
