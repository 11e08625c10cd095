/**
 * MD5 of file ranges on a Web Worker ({@linkcode ./download_hash_worker.ts}),
 * so a large download can hash what it has written on another core while it
 * keeps pumping the network into the file.
 *
 * @module
 */

import { bundledWorkerUrl, mayLoadWorker } from "../bundled_modules.ts";

/** A request to the hash worker. */
export type HashRequest =
  /**
   * MD5s of the `segment`-sized pieces of [start, end) (start is a segment
   * boundary; `segment` may be Infinity).
   */
  | { type: "segments"; id: number; path: string; start: number; end: number; segment: number }
  /**
   * Adds [start, end) to the running hash number `id` (ranges must come in
   * file order); `algorithm` (default MD5) is taken from the first range.
   */
  | {
    type: "stream";
    id: number;
    path: string;
    start: number;
    end: number;
    algorithm?: "md5" | "sha256";
  }
  /** Finishes the running MD5 number `id`. */
  | { type: "digest"; id: number };

/** A response from the hash worker. */
export type HashResponse =
  | { type: "segments"; id: number; md5s: string[] }
  | { type: "digest"; id: number; md5: string }
  | { type: "error"; id: number; message: string };

interface Pending {
  resolve: (res: HashResponse) => void;
  reject: (error: Error) => void;
}

/**
 * Several hash workers: independent `segments` jobs (multipart parts) are
 * spread over them; running MD5s (`stream`/`digest`) stay on the first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HashPool } from "./download_hasher.ts";
 * const path = await Deno.makeTempFile();
 * const pool = HashPool.start(2);
 * try {
 *   await Deno.writeTextFile(path, "abcd");
 *   const [a, b] = await Promise.all([
 *     pool?.segments(path, 0, 2, 2),
 *     pool?.segments(path, 2, 4, 2),
 *   ]);
 *   assert(pool === undefined || a?.length === 1 && b?.length === 1);
 * } finally {
 *   pool?.terminate();
 *   await Deno.remove(path);
 * }
 * ```
 */
export class HashPool {
  #workers: HashWorker[];
  #next = 0;

  private constructor(workers: HashWorker[]) {
    this.#workers = workers;
  }

  /** Starts up to `size` workers; `undefined` when none can be started. */
  static start(size: number): HashPool | undefined {
    const workers: HashWorker[] = [];
    for (let i = 0; i < Math.max(1, size); i++) {
      const w = HashWorker.start();
      if (w === undefined) break;
      workers.push(w);
    }
    return workers.length > 0 ? new HashPool(workers) : undefined;
  }

  /** See {@linkcode HashWorker.segments}; jobs go round-robin over the workers. */
  segments(path: string, start: number, end: number, segment: number): Promise<string[]> {
    const worker = this.#workers[this.#next++ % this.#workers.length]!;
    return worker.segments(path, start, end, segment);
  }

  /** See {@linkcode HashWorker.stream}; the stream id picks the worker, so two streams can run side by side. */
  stream(
    id: number,
    path: string,
    start: number,
    end: number,
    algorithm?: "md5" | "sha256",
  ): void {
    this.#workers[id % this.#workers.length]!.stream(id, path, start, end, algorithm);
  }

  /** See {@linkcode HashWorker.digest}. */
  digest(id: number): Promise<string> {
    return this.#workers[id % this.#workers.length]!.digest(id);
  }

  /** Stops every worker. */
  terminate(): void {
    for (const w of this.#workers) w.terminate();
  }
}

/**
 * A hash worker. Any failure (no Worker support, a crash, a read error)
 * rejects the affected promises; callers then hash on the main thread.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HashWorker } from "./download_hasher.ts";
 * const path = await Deno.makeTempFile();
 * const hasher = HashWorker.start();
 * try {
 *   await Deno.writeTextFile(path, "ab");
 *   const parts = await hasher?.segments(path, 0, 2, 1);
 *   assert(parts === undefined || parts.length === 2);
 *   hasher?.stream(1, path, 0, 2);
 *   const md5 = await hasher?.digest(1);
 *   assert(md5 === undefined || md5 === "187ef4436122d1cc2f40dc2b92f0eba0");
 * } finally {
 *   hasher?.terminate();
 *   await Deno.remove(path);
 * }
 * ```
 */
export class HashWorker {
  #worker: Worker;
  #pending = new Map<number, Pending>();
  #nextId = 1_000_000; // ids below are the caller's stream ids
  #error: Error | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.addEventListener("message", (e: MessageEvent<HashResponse>) => {
      const res = e.data;
      const pending = this.#pending.get(res.id);
      if (pending === undefined) return;
      this.#pending.delete(res.id);
      if (res.type === "error") pending.reject(new Error(`hash worker: ${res.message}`));
      else pending.resolve(res);
    });
    worker.addEventListener("error", (e: ErrorEvent) => {
      e.preventDefault(); // a broken helper must not take the process down
      this.#fail(new Error(`hash worker failed: ${e.message}`));
    });
    worker.addEventListener(
      "messageerror",
      () => this.#fail(new Error("hash worker: bad message")),
    );
  }

  /** Starts a worker; `undefined` when this runtime cannot (then hash on the main thread). */
  static start(): HashWorker | undefined {
    try {
      // A `deno compile` binary must also embed the worker with `--include
      // src/store/download_hash_worker.ts` (scripts/compile.ts does;
      // tests/cli_compile_test.ts checks it), and the release bundle
      // registers where it is (src/bundled_modules.ts). If it is missing, the
      // Worker fails to start or load and downloads hash on the main thread.
      const url = bundledWorkerUrl(
        "src/store/download_hash_worker.ts",
        new URL("./download_hash_worker.ts", import.meta.url),
      );
      if (!mayLoadWorker(url)) return undefined;
      return new HashWorker(new Worker(url, { type: "module" }));
    } catch {
      return undefined;
    }
  }

  /**
   * MD5s of the `segment`-sized pieces of bytes [start, end) of `path`
   * (`segment` = Infinity: one MD5). The bytes must already be written.
   */
  async segments(path: string, start: number, end: number, segment: number): Promise<string[]> {
    const id = this.#nextId++;
    const res = await this.#request(id, { type: "segments", id, path, start, end, segment });
    if (res.type !== "segments") throw new Error(`hash worker: unexpected ${res.type}`);
    return res.md5s;
  }

  /** Feeds bytes [start, end) of `path` to running hash `id` (MD5 by default; call in file order). */
  stream(
    id: number,
    path: string,
    start: number,
    end: number,
    algorithm?: "md5" | "sha256",
  ): void {
    if (this.#error === undefined) {
      const req: HashRequest = { type: "stream", id, path, start, end };
      if (algorithm !== undefined) req.algorithm = algorithm;
      this.#worker.postMessage(req);
    }
  }

  /** The running hash `id` (hex) of everything streamed so far. */
  async digest(id: number): Promise<string> {
    const res = await this.#request(id, { type: "digest", id });
    if (res.type !== "digest") throw new Error(`hash worker: unexpected ${res.type}`);
    return res.md5;
  }

  /** Stops the worker; pending requests are rejected. */
  terminate(): void {
    this.#fail(new Error("hash worker terminated"));
    this.#worker.terminate();
  }

  #request(id: number, req: HashRequest): Promise<HashResponse> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage(req);
    });
  }

  #fail(error: Error): void {
    this.#error ??= error;
    for (const p of this.#pending.values()) p.reject(error);
    this.#pending.clear();
  }
}
