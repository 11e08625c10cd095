/**
 * Web Worker body for {@linkcode ./download_hasher.ts}: hashes byte ranges of
 * a file being downloaded, reading them back from the page cache, so MD5
 * work runs on another core than the one pumping the network into the file.
 *
 * Reading back costs a memory copy (several GB/s) but lets the network side
 * stay a native socket-to-file pipe with no JavaScript per chunk; handing the
 * chunks over with `postMessage` instead measured slower (one message per
 * network chunk, and every chunk through JavaScript on both threads).
 *
 * Loaded only with `new Worker(...)`; importing it does nothing else than
 * registering a message listener in a worker scope.
 *
 * @module
 */
import { createHash, type Hash } from "node:crypto";
import type { HashRequest, HashResponse } from "./download_hasher.ts";

interface WorkerScope {
  addEventListener(type: "message", listener: (e: MessageEvent<HashRequest>) => void): void;
  postMessage(message: HashResponse): void;
}

const scope = globalThis as unknown as WorkerScope;
const streams = new Map<number, Hash>();
// A failed "stream" request is reported by the "digest" that ends the stream.
const failed = new Map<number, string>();
// Small enough to stay in a core's L2 cache (512 KiB on the machines we
// measured) between the copy from the page cache and the hash: with 4 MiB the
// hash read every byte back from L3/RAM and the workers spent 15-25% more CPU.
const buffer = new Uint8Array(256 * 1024);
/** Reads bytes [start, end) of `path` (already written) into `onBytes`. */
function readRange(
  path: string,
  start: number,
  end: number,
  onBytes: (b: Uint8Array) => void,
): void {
  using file = Deno.openSync(path, { read: true });
  file.seekSync(start, Deno.SeekMode.Start);
  let pos = start;
  while (pos < end) {
    const want = Math.min(end - pos, buffer.length);
    const n = file.readSync(buffer.subarray(0, want));
    if (n === null || n === 0) throw new Error(`${path} ends before byte ${end}`);
    onBytes(buffer.subarray(0, n));
    pos += n;
  }
}

function handle(req: HashRequest): HashResponse | undefined {
  switch (req.type) {
    case "segments": {
      const md5s: string[] = [];
      let hash = createHash("md5");
      let filled = 0;
      readRange(req.path, req.start, req.end, (bytes) => {
        let off = 0;
        while (off < bytes.length) {
          const n = Math.min(req.segment - filled, bytes.length - off);
          hash.update(n === bytes.length ? bytes : bytes.subarray(off, off + n));
          filled += n;
          off += n;
          if (filled === req.segment) {
            md5s.push(hash.digest("hex"));
            hash = createHash("md5");
            filled = 0;
          }
        }
      });
      if (filled > 0) md5s.push(hash.digest("hex"));
      return { type: "segments", id: req.id, md5s };
    }
    case "stream": {
      if (failed.has(req.id)) return undefined;
      let hash = streams.get(req.id);
      if (hash === undefined) streams.set(req.id, hash = createHash(req.algorithm ?? "md5"));
      const h = hash;
      try {
        readRange(req.path, req.start, req.end, (bytes) => h.update(bytes));
      } catch (error) {
        failed.set(req.id, messageOf(error));
      }
      return undefined;
    }
    case "digest": {
      const hash = streams.get(req.id) ?? createHash("md5");
      streams.delete(req.id);
      const error = failed.get(req.id);
      failed.delete(req.id);
      if (error !== undefined) return { type: "error", id: req.id, message: error };
      return { type: "digest", id: req.id, md5: hash.digest("hex") };
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Each job runs synchronously inside its message event, so jobs run one at a
// time in the order they came, as a running MD5 needs its ranges in file order.
scope.addEventListener("message", (e) => {
  const req = e.data;
  let res: HashResponse | undefined;
  try {
    res = handle(req);
  } catch (error) {
    res = { type: "error", id: req.id, message: messageOf(error) };
  }
  if (res !== undefined) scope.postMessage(res);
});
