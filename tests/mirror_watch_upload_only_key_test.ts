/**
 * `vc mirror --watch` with an upload-only key (s3:PutObject and
 * s3:ListBucket, no s3:GetObject: HEAD and GET are 403), common for CI keys
 * that only publish. A one-shot mirror coped (its confirmation said once
 * that the uploads were not confirmed), but the watch's per-file path HEADs
 * each changed file's key before uploading it: every changed file failed,
 * at every event. It now finds the key in a listing (ListBucket is allowed)
 * once HEAD is refused, stops asking HEAD for the rest of the watch, and
 * says so once with what it costs. Deletes decided from that listing are
 * the full pass's own rule (an object listed, its file gone), no guess.
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { assertEquals, assertMatch } from "./assert.ts";
import { multipartPut } from "./fake_multipart_put.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

/** The fake S3 behind a proxy that refuses HEAD and GET of an object (not the listing), counting. */
async function uploadOnly() {
  const seen = { heads: 0, lists: 0, puts: 0, deletes: 0 };
  let refuse = false;
  const proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    const listing = url.searchParams.has("list-type") || url.searchParams.has("uploads");
    if (req.method === "HEAD") seen.heads++;
    if (req.method === "GET" && url.searchParams.has("list-type")) seen.lists++;
    if (req.method === "PUT") seen.puts++;
    if (req.method === "DELETE" || url.searchParams.has("delete")) seen.deletes++;
    if (refuse && (req.method === "HEAD" || (req.method === "GET" && !listing))) {
      return new Response(
        req.method === "HEAD"
          ? null
          : "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
        { status: 403, headers: { "content-type": "application/xml" } },
      );
    }
    return await forward();
  }, { store: { maxAttempts: 1 } });
  return { proxied, seen, refuse: () => refuse = true };
}

const text = async (p: Awaited<ReturnType<typeof uploadOnly>>["proxied"], key: string) =>
  await new Response((await p.direct.get(key)).body).text();

Deno.test("mirror --watch, upload-only key: changed files are uploaded without a HEAD each, said once", async () => {
  const { proxied, seen, refuse } = await uploadOnly();
  await using _proxied = proxied;
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a1", "b.txt": "b1" });
  await using m = await Mirror.open({
    sources: [src],
    target: proxied.store,
    statePath: join(w.dir, "s.db"),
  });
  assertEquals((await m.run()).transferred, 2);
  refuse();
  await Deno.writeTextFile(join(src, "a.txt"), "a2");
  await writeTree(src, { "c.txt": "c1" });
  Object.assign(seen, { heads: 0, lists: 0, puts: 0 });
  const r = await m.syncPaths(["a.txt", "b.txt", "c.txt"].map((n) => join(src, n)));
  assertEquals(r.failed, []);
  assertEquals([r.transferred, r.unchanged], [2, 1]);
  assertEquals([await text(proxied, "a.txt"), await text(proxied, "c.txt")], ["a2", "c1"]);
  // Several files of one directory: its listing, no HEAD at all.
  assertEquals([seen.heads, r.uploadsUnconfirmed, r.headRefused], [0, undefined, undefined]);
  // One file alone is a HEAD, refused: looked up in a listing, and said.
  await Deno.writeTextFile(join(src, "b.txt"), "b2");
  const r2 = await m.syncPaths([join(src, "b.txt")]);
  assertEquals([r2.failed, r2.transferred, r2.uploadsUnconfirmed], [[], 1, undefined]);
  assertEquals(await text(proxied, "b.txt"), "b2");
  assertMatch(r2.headRefused ?? "", /HEAD/);
  assertMatch(r2.headRefused ?? "", /s3:GetObject/);
  // The refusal is remembered: the next batch asks no HEAD before its upload.
  await Deno.writeTextFile(join(src, "a.txt"), "a3");
  const headsBefore = seen.heads;
  const r3 = await m.syncPaths([join(src, "a.txt")]);
  assertEquals([r3.failed, r3.transferred], [[], 1]);
  assertEquals(await text(proxied, "a.txt"), "a3");
  assertEquals(seen.heads - headsBefore, 0);
});

Deno.test("mirror --watch, upload-only key: a gone file's object is deleted from the listing, an unlisted one is left", async () => {
  const { proxied, refuse } = await uploadOnly();
  await using _proxied = proxied;
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a1", "b.txt": "b1", "keep.txt": "k" });
  await using m = await Mirror.open({
    sources: [src],
    target: proxied.store,
    statePath: join(w.dir, "s.db"),
    delete: true,
  });
  assertEquals((await m.run()).transferred, 3);
  refuse();
  await Deno.remove(join(src, "a.txt"));
  // Never mirrored, and not in the store: nothing to delete.
  const r = await m.syncPaths([join(src, "a.txt"), join(src, "never.txt")]);
  assertEquals([r.failed, r.deleted, r.deletedKeys], [[], 1, ["a.txt"]]);
  const left = [];
  for await (const o of proxied.direct.list("")) left.push(o.key);
  assertEquals(left, ["b.txt", "keep.txt"]);
});

Deno.test("mirror, upload-only key: an object another tool stored in parts is uploaded again, not a failure", async () => {
  const { proxied, refuse } = await uploadOnly();
  await using _proxied = proxied;
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const first = new Uint8Array(5 * 1024 * 1024).fill(7);
  const last = new Uint8Array([1, 2, 3]);
  await Deno.mkdir(src);
  await Deno.writeFile(join(src, "p.bin"), new Uint8Array([...first, ...last]));
  // As `aws s3 cp` leaves it: a multipart ETag, no vc-md5, and no state row.
  await multipartPut(proxied.fake, "b", "p.bin", [first, last]);
  refuse();
  const r = await mirror({
    sources: [src],
    target: proxied.store,
    statePath: join(w.dir, "s.db"),
  });
  assertEquals([r.failed, r.transferred], [[], 1]);
  assertEquals((await proxied.direct.head("p.bin"))?.metadata?.["vc-md5"] !== undefined, true);
});
