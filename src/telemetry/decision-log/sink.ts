// Where sealed lines go. The writer decides the chain (and when to rotate); a sink only moves bytes.

export interface LogSink {
  /** Appends complete lines (each ending in "\n"). On failure nothing of the batch may remain. */
  write(text: string): Promise<void>;
  /** Flushes to stable storage. */
  sync(): Promise<void>;
  /** Ends the current file and starts the next one with `firstLine` (text + "\n"). */
  rotate(firstLine: string): Promise<void>;
  close(): Promise<void>;
}

export function createStdoutSink(stream: NodeJS.WritableStream = process.stdout): LogSink {
  return {
    write: (text) =>
      new Promise<void>((resolve, reject) => {
        stream.write(text, (err) => (err ? reject(err) : resolve()));
      }),
    sync: async () => {},
    rotate: async () => {},
    close: async () => {},
  };
}
