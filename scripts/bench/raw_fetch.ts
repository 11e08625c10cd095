/**
 * The bare loops `cold_small.ts` compares vc with: GETs (unsigned but in
 * "guarded"), `concurrency` in flight, each body written to a file, in four modes:
 * - "plain": a bare write, no fsync, no rename;
 * - "ceiling": vc's durability protocol alone (unique temp file, write,
 *   fdatasync, rename; metadata calls synchronous, as in vc's downloader);
 * - "record": the ceiling plus what vc's layout needs per object: the temp
 *   file locked, and a line appended to one journal in a parallel `.meta`
 *   directory after the rename.
 * - "guarded": what vc's guarantees cost, flat: a signed GET through vc's
 *   own S3 client (its SigV4 signer and HTTP/1.1 client, the fastest GET
 *   vc has, so the floor is not raised by `fetch`), the body's MD5 checked
 *   against its ETag (vc's MD5), the temp
 *   file locked and checked to still be the one at its path (vc's lock),
 *   fdatasync, a link to the destination (vc's commit of a locked temp
 *   file), a line appended to a journal kept open, then the temp name
 *   removed. The floor of any client that keeps vc's guarantees on Deno;
 *   vc above it is its layering.
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

import { JsMd5 } from "../../src/md5_js.ts";
import { openStore } from "../../src/store/open.ts";

/** What a loop does with each body (see the module documentation). */
export type RawMode = "plain" | "ceiling" | "record" | "guarded";

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
 * // "abc" with its MD5 as its ETag, as S3 gives a single-part object.
 * const etag = '"900150983cd24fb0d6963f7d28e17f72"';
 * const server = Deno.serve(
 *   { port: 0, hostname: "127.0.0.1", onListen: () => {} },
 *   () => new Response("abc", { headers: { etag } }),
 * );
 * const dir = await Deno.makeTempDir();
 * try {
 *   const ms = await rawFetch({
 *     mode: "record", url: `http://127.0.0.1:${server.addr.port}`, bucket: "b",
 *     keys: ["k1", "k2"], dir, meta: dir, concurrency: 2,
 *   });
 *   assert(ms >= 0);
 *   assert.equal(await Deno.readTextFile(`${dir}/1.bin`), "abc");
 *   assert((await Deno.readTextFile(`${dir}/%records.jsonl`)).includes("1.bin"));
 *   const guarded = `${dir}/guarded`;
 *   await Deno.mkdir(guarded);
 *   await rawFetch({
 *     mode: "guarded", url: `http://127.0.0.1:${server.addr.port}`, bucket: "b",
 *     keys: ["k1", "k2"], dir: guarded, meta: guarded, concurrency: 2,
 *   });
 *   // Committed by a link; the temp names are gone.
 *   const names = [...Deno.readDirSync(guarded)].map((e) => e.name).sort();
 *   assert.deepEqual(names, ["%records.jsonl", "0.bin", "1.bin"]);
 * } finally {
 *   await server.shutdown();
 *   await Deno.remove(dir, { recursive: true });
 * }
 * ```
 */
export async function rawFetch(run: RawFetchRun): Promise<number> {
  const { mode, url, bucket, keys, dir, meta } = run;
  const encoder = new TextEncoder();
  const guarded = mode === "guarded";
  const store = guarded
    ? await openStore(`s3://${bucket}/`, {
      s3: {
        endpoint: url,
        region: Deno.env.get("AWS_REGION") ?? "us-east-1",
        forcePathStyle: true,
        credentials: {
          accessKeyId: Deno.env.get("AWS_ACCESS_KEY_ID") ?? "test",
          secretAccessKey: Deno.env.get("AWS_SECRET_ACCESS_KEY") ?? "test",
        },
      },
    })
    : undefined;
  const t = performance.now();
  const journalPath = `${meta}/%records.jsonl`;
  // The floor keeps its journal open for the run (the cheapest append), as
  // vc does while downloads run.
  const kept = guarded ? Deno.openSync(journalPath, { append: true, create: true }) : undefined;
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const k = next++;
      let bytes: Uint8Array;
      if (store !== undefined) {
        const got = await store.get(keys[k]!);
        bytes = got.bytes ?? new Uint8Array(await new Response(got.body).arrayBuffer());
        const etag = (got.info.etag ?? "").replaceAll('"', "");
        const md5 = new JsMd5().update(bytes).digest("hex");
        if (md5 !== etag) throw new Error(`GET ${keys[k]}: MD5 ${md5}, ETag ${etag}`);
      } else {
        const res = await fetch(`${url}/${bucket}/${keys[k]}`);
        if (!res.ok) throw new Error(`GET ${keys[k]}: ${res.status}`);
        bytes = new Uint8Array(await res.arrayBuffer());
      }
      if (mode === "plain") {
        await Deno.writeFile(`${dir}/${k}.bin`, bytes);
        continue;
      }
      const temp = `${dir}/.${k}.bin.tmp`;
      const dest = `${dir}/${k}.bin`;
      const file = Deno.openSync(temp, { read: true, write: true, createNew: true });
      try {
        if (mode !== "ceiling") file.tryLockSync(true);
        if (guarded && file.statSync().ino !== Deno.lstatSync(temp).ino) {
          throw new Error(`${temp} was replaced`);
        }
        let off = 0;
        while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
        await file.syncData();
        if (guarded) Deno.linkSync(temp, dest);
        else Deno.renameSync(temp, dest);
        if (mode !== "ceiling") {
          const text = `${k}.bin\t{"v":1,"uri":"s3://${bucket}/${
            keys[k]
          }","size":${bytes.length}}\n`;
          if (kept !== undefined) kept.writeSync(encoder.encode(text));
          else {
            const journal = Deno.openSync(journalPath, { append: true, create: true });
            journal.writeSync(encoder.encode(text));
            journal.close();
          }
        }
        if (guarded) Deno.removeSync(temp);
      } finally {
        file.close();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: run.concurrency }, worker));
  } finally {
    kept?.close();
    await store?.close();
  }
  return performance.now() - t;
}

if (import.meta.main) {
  const [mode, url, bucket, keysFile, dir, meta, concurrency] = Deno.args;
  if (
    (mode !== "plain" && mode !== "ceiling" && mode !== "record" && mode !== "guarded") ||
    url === undefined ||
    bucket === undefined || keysFile === undefined || dir === undefined || meta === undefined
  ) {
    throw new Error(
      "usage: raw_fetch.ts plain|ceiling|record|guarded URL BUCKET KEYS_FILE DIR META_DIR [CONCURRENCY]",
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
