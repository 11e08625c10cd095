/**
 * `vc mirror --watch`: a batch of new files in several existing directories
 * (an `rsync` into `a/` and `b/`) looked each directory's objects up from
 * one listing of it, but confirmed the uploads with a HEAD each: the
 * confirmation looked for one listed scope holding every upload, and none
 * holds both `a/` and `b/`. Each directory's uploads are now confirmed by
 * the listing of that directory, so the batch costs a LIST per directory to
 * look up and one to confirm, not a HEAD per file. And a batch of one file
 * in each of many directories (a `git checkout`, a build rewriting its
 * output, a `sed -i` over a tree) was a HEAD per file twice over (to look
 * it up, to confirm its upload), where one listing of the directory above
 * them all (a few hundred objects) shows them all.
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { countingS3Proxy, startS3Proxy } from "./s3_proxy.ts";
import { md5Hex } from "../src/hash.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

const FILES = 40;
const DIRS = ["a", "b", "c/d"];

Deno.test("mirror --watch: new files in several directories are confirmed by a listing of each, not a HEAD each", async () => {
  const { proxied, seen } = await countingS3Proxy();
  await using _proxied = proxied;
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, {
    "top.txt": "t",
    ...Object.fromEntries(DIRS.map((d) => [`${d}/keep.txt`, d])),
  });
  await using m = await Mirror.open({
    sources: [src],
    target: proxied.store,
    statePath: join(w.dir, "s.db"),
  });
  assertEquals((await m.run()).transferred, DIRS.length + 1);
  const fresh = DIRS.flatMap((d) => Array.from({ length: FILES }, (_, i) => `${d}/new${i}.txt`));
  await writeTree(src, Object.fromEntries(fresh.map((n) => [n, n])));
  Object.assign(seen, { heads: 0, lists: 0, puts: 0 });
  const r = await m.syncPaths(fresh.map((n) => join(src, n)));
  assertEquals([r.failed, r.transferred, r.uploadsUnconfirmed], [[], fresh.length, undefined]);
  assertEquals(seen.puts, fresh.length);
  // A listing per directory to look the files up, one per directory to
  // confirm the uploads; no HEAD.
  assertEquals(seen.heads, 0, JSON.stringify(seen));
  assert(seen.lists <= 2 * DIRS.length, JSON.stringify(seen));
  const left = [];
  for await (const o of proxied.direct.list("")) left.push(o.key);
  assertEquals(left.length, fresh.length + DIRS.length + 1);
});

Deno.test("mirror --watch: an upload one directory's listing does not show is still a failure naming it", async () => {
  const seen = { heads: 0, lists: 0, puts: 0 };
  let drop = "";
  const proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (req.method === "HEAD") seen.heads++;
    if (req.method === "GET" && url.searchParams.has("list-type")) seen.lists++;
    if (req.method === "PUT") {
      seen.puts++;
      const key = decodeURIComponent(url.pathname.replace(/^\/b\//, ""));
      if (key === drop) {
        const body = new Uint8Array(await req.arrayBuffer());
        return new Response(null, { status: 200, headers: { etag: `"${md5Hex(body)}"` } });
      }
    }
    return await forward();
  }, { store: { maxAttempts: 1 } });
  await using _proxied = proxied;
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, Object.fromEntries(DIRS.map((d) => [`${d}/keep.txt`, d])));
  await using m = await Mirror.open({
    sources: [src],
    target: proxied.store,
    statePath: join(w.dir, "s.db"),
  });
  await m.run();
  const fresh = DIRS.flatMap((d) => Array.from({ length: 5 }, (_, i) => `${d}/new${i}.txt`));
  await writeTree(src, Object.fromEntries(fresh.map((n) => [n, n])));
  drop = "b/new3.txt";
  Object.assign(seen, { heads: 0, lists: 0, puts: 0 });
  const r = await m.syncPaths(fresh.map((n) => join(src, n)));
  assertEquals(r.failed.map((f) => f.key), [drop]);
  assertStringIncludes(r.failed[0]!.error, "s3://b/b/new3.txt");
  assertStringIncludes(r.failed[0]!.error, "missing right after the upload");
  // Only the key its listing found wanting is asked again by a HEAD.
  assertEquals(seen.heads, 1, JSON.stringify(seen));
  drop = "";
  const again = await m.syncPaths([join(src, "b/new3.txt")]);
  assertEquals([again.failed, again.transferred], [[], 1]);
});

Deno.test("mirror --watch: one file changed in each of many directories is one listing of the tree above them, not two HEADs each", async () => {
  const { proxied, seen } = await countingS3Proxy();
  await using _proxied = proxied;
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const dirs = Array.from({ length: 30 }, (_, i) => `p/d${i}`);
  const tree: Record<string, string> = { "top.txt": "t" };
  for (const d of dirs) for (let i = 0; i < 5; i++) tree[`${d}/f${i}.txt`] = `${d} ${i}`;
  await writeTree(src, tree);
  await using m = await Mirror.open({
    sources: [src],
    target: proxied.store,
    statePath: join(w.dir, "s.db"),
  });
  await m.run();
  // One file rewritten in each directory (other bytes), one rewritten as it was.
  const changed = dirs.map((d) => `${d}/f1.txt`);
  await writeTree(src, Object.fromEntries(changed.map((n) => [n, `changed ${n}`])));
  await writeTree(src, { "p/d0/f2.txt": "p/d0 2" });
  Object.assign(seen, { heads: 0, lists: 0, puts: 0 });
  const r = await m.syncPaths([...changed, "p/d0/f2.txt"].map((n) => join(src, n)));
  assertEquals([r.failed, r.transferred, r.unchanged], [[], changed.length, 1]);
  assertEquals(seen.puts, changed.length);
  // One listing of p/ to look them up, one to confirm the uploads.
  assertEquals([seen.heads, seen.lists], [0, 2], JSON.stringify(seen));
  for (const n of changed) {
    assertEquals(await new Response((await proxied.direct.get(n)).body).text(), `changed ${n}`);
  }
});
