// Chat platforms reject whole messages when one field is too long; cutting is kinder than losing the notice.

export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** The masked parameters as indented JSON, cut to `max` characters. */
export function previewText(params: Readonly<Record<string, unknown>> | null, max: number): string {
  return truncate(JSON.stringify(params ?? {}, null, 2), max);
}
