// The one HTML escape every server-rendered page and report goes through: text and attribute
// values alike, so a logged parameter like `<script>` or `" onmouseover=` stays inert text.
const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;" };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (c) => ENTITIES[c] as string);
}
