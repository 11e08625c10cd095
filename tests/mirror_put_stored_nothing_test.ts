/**
 * A store (or a proxy before it) that answers a mirror's PUT 200, with the
 * body's MD5 as its ETag, and keeps nothing or other bytes: `vc mirror`
 * counted each such file as uploaded, and the run ended "ok" with the
 * target short of them. Now the run confirms what it uploaded (one LIST
 * per page of the prefix when it uploaded many, a HEAD each when few) and
 * reports a file not found there with its size and ETag as failed, naming
 * its key; the next run uploads it again.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { md5Hex } from "../src/hash.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { mirrorUp, tempDir, writeTree } from "./mirror_helpers.ts";

/** The fake S3 behind a proxy that acknowledges PUTs of keys `lie` picks and stores nothing or other bytes. */
async function lyingPuts(lie: (key: string) => "drop" | "swap" | undefined) {
  const seen = { heads: 0, lists: 0, puts: 0 };
  const proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (req.method === "HEAD") seen.heads++;
    if (req.method === "GET" && url.searchParams.has("list-type")) seen.lists++;
    if (req.method === "PUT" && !url.searchParams.has("uploadId")) {
      seen.puts++;
      const key = decodeURIComponent(url.pathname.replace(/^\/b\//, ""));
      const what = lie(key);
      if (what !== undefined) {
        const body = new Uint8Array(await req.arrayBuffer());
        const answer = new Response(null, {
          status: 200,
          headers: { etag: `"${md5Hex(body)}"` },
        });
        // Other bytes of the same size: the object's ETag then differs.
        if (what === "swap") await proxied.direct.put(key, body.map((b) => b ^ 1));
        return answer;
      }
    }
    return await forward();
  }, { store: { maxAttempts: 1 } });
  return { proxied, seen };
}

Deno.test("mirror up: PUTs answered 200 that stored nothing or other bytes are failures, found by one listing", async () => {
  const { proxied, seen } = await lyingPuts((key) =>
    key === "gone.txt" ? "drop" : key === "other.txt" ? "swap" : undefined
  );
  await using _proxied = proxied;
  await using w = await tempDir();
  const tree: Record<string, string> = { "gone.txt": "nothing kept", "other.txt": "swapped" };
  for (let i = 0; i < 40; i++) tree[`f${String(i).padStart(3, "0")}.txt`] = `file ${i}`;
  await writeTree(join(w.dir, "src"), tree);
  const run = (store: ObjectStore) => mirrorUp(w.dir, store);
  const report = await run(proxied.store);
  assertEquals(report.failed.map((f) => f.key), ["gone.txt", "other.txt"]);
  const [gone, other] = report.failed.map((f) => f.error);
  assertStringIncludes(gone!, "s3://b/gone.txt");
  assertStringIncludes(gone!, "missing right after the upload");
  assertStringIncludes(other!, "other bytes were stored");
  assertStringIncludes(other!, "the next run uploads it again");
  assertEquals(report.transferred, 40);
  // The pass's listing and one more for the check; a HEAD only for the two
  // keys the listing found wanting (a listing may lag a write).
  assertEquals([seen.puts, seen.lists, seen.heads], [42, 2, 2]);
  // The next run, through an honest store, uploads the two again.
  const again = await run(proxied.direct);
  assertEquals([again.transferred, again.failed.length], [2, 0]);
  const stored = await proxied.direct.get("other.txt");
  assertEquals(await new Response(stored.body).text(), "swapped");
});

Deno.test("mirror up: one upload among 1000 files is confirmed by a HEAD, not a listing of them all", async () => {
  let lie = false;
  const { proxied, seen } = await lyingPuts((key) =>
    lie && key === "gone.txt" ? "drop" : undefined
  );
  await using _proxied = proxied;
  await using w = await tempDir();
  const tree: Record<string, string> = { "gone.txt": "v1" };
  for (let i = 0; i < 1000; i++) tree[`f${String(i).padStart(4, "0")}.txt`] = `${i}`;
  await writeTree(join(w.dir, "src"), tree);
  const run = () => mirrorUp(w.dir, proxied.store);
  assertEquals((await run()).transferred, 1001);
  // A no-op run: the requests of the pass alone.
  Object.assign(seen, { heads: 0, lists: 0, puts: 0 });
  assertEquals((await run()).unchanged, 1001);
  const pass = { ...seen };
  await Deno.writeTextFile(join(w.dir, "src", "gone.txt"), "v2 not kept");
  lie = true;
  Object.assign(seen, { heads: 0, lists: 0, puts: 0 });
  const report = await run();
  assertEquals(report.failed.map((f) => f.key), ["gone.txt"]);
  assertEquals(report.transferred, 0);
  assertEquals([seen.puts, seen.lists, seen.heads], [1, pass.lists, pass.heads + 1]);
  lie = false;
  assertEquals((await run()).transferred, 1);
  assertEquals(
    await new Response((await proxied.direct.get("gone.txt")).body).text(),
    "v2 not kept",
  );
});
