import { describe, expect, it } from "vitest";
import { SseSplitter, withData } from "./sse-events.ts";

describe("SseSplitter", () => {
  it("cuts events at blank lines whatever the line ends, keeping their exact bytes", () => {
    const s = new SseSplitter();
    const text = "event: message\r\ndata: {\"a\":1}\r\n\r\nid: 2\ndata: x\ndata: y\n\n: comment\rdata: z\r\r";
    const events = s.push(text);
    expect(events.map((e) => e.raw).join("")).toBe(text.slice(0, text.indexOf(": comment")));
    expect(events.map((e) => [e.type, e.data])).toEqual([["message", '{"a":1}'], ["message", "x\ny"]]);
    // The trailing "\r\r" might be "\r" + half a CRLF: it waits for the next byte.
    expect(s.push("")).toEqual([]);
    expect(s.push("\n")[0]).toMatchObject({ data: "z" });
  });

  it("holds an unfinished event until its end arrives, and hands it back at the stream's end", () => {
    const s = new SseSplitter();
    expect(s.push("data: par")).toEqual([]);
    expect(s.push("tial\n\ndata: rest")[0]).toMatchObject({ data: "partial" });
    expect(s.rest()).toBe("data: rest");
  });

  it("rewrites an event's data keeping its other lines", () => {
    const [event] = new SseSplitter().push("id: 7\nevent: message\ndata: old\n\n");
    expect(withData(event!, "new")).toBe("id: 7\nevent: message\ndata: new\n\n");
  });
});
