// data.json's bytes as the slicer reads them: held raw (the CLI, tests) or in compressed blocks
// (the server, data-blocks.ts), so a 100 MB data.json need not stay in memory raw.
export interface DataBytes {
  readonly byteLength: number;
  /** The bytes [start, end): a view, or a fresh copy when they are decompressed or span blocks. */
  read(start: number, end: number): Uint8Array;
}

export function rawDataBytes(bytes: Uint8Array): DataBytes {
  return { byteLength: bytes.byteLength, read: (start, end) => bytes.subarray(start, end) };
}

export function isDataBytes(data: Uint8Array | DataBytes): data is DataBytes {
  return !(data instanceof Uint8Array);
}

export function asDataBytes(data: Uint8Array | DataBytes): DataBytes {
  return isDataBytes(data) ? data : rawDataBytes(data);
}
