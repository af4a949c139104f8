// Server-sent events cut at event boundaries, as chunks arrive: complete events come out with
// their exact bytes, the unfinished tail waits for the next chunk. An event ends at a blank line
// (LF, CRLF or CR line ends, per the HTML event-stream grammar).

export interface SseEvent {
  /** The event's bytes as received, its terminating blank line included. */
  readonly raw: string;
  /** The `event:` field, "message" when absent. */
  readonly type: string;
  /** The `data:` lines joined by LF; null when the event has none. */
  readonly data: string | null;
  /** The event's other lines (id:, retry:, comments), kept in order when the data is rewritten. */
  readonly otherLines: readonly string[];
}

// Two line ends in a row; a CR followed by LF is one line end, never two.
const EVENT_END = /(?:\r\n|\r(?!\n)|\n)(?:\r\n|\r(?!\n)|\n)/;

export class SseSplitter {
  #pending = "";

  /** The events completed by this chunk. A lone CR at the end waits: it may be half of a CRLF. */
  push(chunk: string): SseEvent[] {
    this.#pending += chunk;
    const events: SseEvent[] = [];
    for (;;) {
      const match = EVENT_END.exec(this.#pending);
      if (match === null) break;
      const end = match.index + match[0].length;
      // A CR at the very end may be the first half of a CRLF: wait for the next byte to decide.
      if (end === this.#pending.length && this.#pending.endsWith("\r")) break;
      const raw = this.#pending.slice(0, end);
      this.#pending = this.#pending.slice(end);
      events.push(parseEvent(raw));
    }
    return events;
  }

  /** What is left at the end of the stream (an unterminated event, passed on as is). */
  rest(): string {
    const rest = this.#pending;
    this.#pending = "";
    return rest;
  }
}

function parseEvent(raw: string): SseEvent {
  const lines = raw.split(/\r\n|\r|\n/).filter((l, i, all) => !(l === "" && i >= all.length - 2));
  let type = "message";
  const data: string[] = [];
  const otherLines: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else {
      if (field === "event") type = value;
      otherLines.push(line);
    }
  }
  return { raw, type, data: data.length === 0 ? null : data.join("\n"), otherLines };
}

/** The event with new data: its other lines as they were, one data line, LF line ends. */
export function withData(event: SseEvent, data: string): string {
  return [...event.otherLines, ...data.split("\n").map((line) => `data: ${line}`), "", ""].join("\n");
}
