/**
 * The bare loops `cold_small.ts` compares vc with: unsigned GETs, `concurrency`
 * in flight, each body written to a file, in three modes:
 * - "plain": a bare write, no fsync, no rename;
 * - "ceiling": vc's durability protocol alone (unique temp file, write,
 *   fdatasync, rename; metadata calls synchronous, as in vc's downloader);
 * - "record": the ceiling plus what vc's layout needs per object: the temp
 *   file locked, and a line appended to one journal in a parallel `.meta`
 *   directory after the rename.
 *
 * Run in the benchmark's process (warm: fetch loaded, code compiled) and,
 * as this script, in a process of its own with vc's release permission
 * flags: the like-for-like peer of a `vc prefill` process, start-up
 * included.
 *
 *     deno run <flags> scripts/bench/raw_fetch.ts MODE URL BUCKET KEYS_FILE DIR META_DIR
 *
 * prints the milliseconds the loop took (start-up excluded; the caller
 * times the whole process).
 *
 * @module
 */

/** What a loop does with each body (see the module documentation). */
export type RawMode = "plain" | "ceiling" | "record";

/** One run of a bare loop. */
export interface RawFetchRun {
  mode: RawMode;
  /** The S3 endpoint (path-style, unsigned GETs). */
  url: string;
  bucket: string;
  keys: readonly string[];
  /** Where the files go (exists). */
  dir: string;
  /** Where the "record" journal goes (exists). */
  meta: string;
  /** GETs in flight. */
  concurrency: number;
}

/**
 * Runs the loop; returns its wall time in ms.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rawFetch } from "./raw_fetch.ts";
 * const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, () => new Response("abc"));
 * const dir = await Deno.makeTempDir();
 * try {
 *   const ms = await rawFetch({
 *     mode: "record", url: `http://127.0.0.1:${server.addr.port}`, bucket: "b",
 *     keys: ["k1", "k2"], dir, meta: dir, concurrency: 2,
 *   });
 *   assert(ms >= 0);
 *   assert.equal(await Deno.readTextFile(`${dir}/1.bin`), "abc");
 *   assert((await Deno.readTextFile(`${dir}/%records.jsonl`)).includes("1.bin"));
 * } finally {
 *   await server.shutdown();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function rawFetch(run: RawFetchRun): Promise<number> {
  const { mode, url, bucket, keys, dir, meta } = run;
  const encoder = new TextEncoder();
  const t = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const k = next++;
      const res = await fetch(`${url}/${bucket}/${keys[k]}`);
      if (!res.ok) throw new Error(`GET ${keys[k]}: ${res.status}`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (mode === "plain") {
        await Deno.writeFile(`${dir}/${k}.bin`, bytes);
        continue;
      }
      const temp = `${dir}/.${k}.bin.tmp`;
      const file = Deno.openSync(temp, { read: true, write: true, createNew: true });
      try {
        if (mode === "record") file.tryLockSync(true);
        let off = 0;
        while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
        await file.syncData();
        Deno.renameSync(temp, `${dir}/${k}.bin`);
        if (mode === "record") {
          const text = `${k}.bin\t{"v":1,"uri":"s3://${bucket}/${
            keys[k]
          }","size":${bytes.length}}\n`;
          const journal = Deno.openSync(`${meta}/%records.jsonl`, { append: true, create: true });
          journal.writeSync(encoder.encode(text));
          journal.close();
        }
      } finally {
        file.close();
      }
    }
  };
  await Promise.all(Array.from({ length: run.concurrency }, worker));
  return performance.now() - t;
}

if (import.meta.main) {
  const [mode, url, bucket, keysFile, dir, meta, concurrency] = Deno.args;
  if (
    (mode !== "plain" && mode !== "ceiling" && mode !== "record") || url === undefined ||
    bucket === undefined || keysFile === undefined || dir === undefined || meta === undefined
  ) {
    throw new Error(
      "usage: raw_fetch.ts plain|ceiling|record URL BUCKET KEYS_FILE DIR META_DIR [CONCURRENCY]",
    );
  }
  const keys = (await Deno.readTextFile(keysFile)).split("\n").filter((l) => l !== "");
  const ms = await rawFetch({
    mode,
    url,
    bucket,
    keys,
    dir,
    meta,
    concurrency: Number(concurrency ?? 16),
  });
  console.log(ms.toFixed(1));
}
