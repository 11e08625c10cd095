/**
 * What `vc mirror`'s confirmation of its uploads costs, and what it does when
 * the store will not answer it. One changed file mirrored into a prefix that
 * holds thousands of other objects (the tree is a small part of it, so the
 * state knows few keys) was confirmed by listing the whole prefix again:
 * one request per 1000 objects for one upload, at every run. And an
 * upload-only key (s3:PutObject and s3:ListBucket, no s3:GetObject: HEAD is
 * 403) failed every run whose uploads were confirmed by HEADs, though every
 * upload was stored; then it mirrored but called those uploads unconfirmed,
 * though the listing it may make shows them: each is now looked up by a
 * listing of its key (one LIST for the HEAD), and the refused HEAD is said.
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { proxiedS3Env, startForwardingProxy } from "./forwarding_proxy.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { md5Hex } from "../src/hash.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { countingS3Proxy, type ProxiedS3, startS3Proxy } from "./s3_proxy.ts";
import { mirrorUp, tempDir, writeTree } from "./mirror_helpers.ts";

const OTHERS = 3000;

/** The fake S3 holding `OTHERS` objects under `other/`, behind a proxy that counts (and may refuse HEADs). */
async function crowdedPrefix(refuseHeads: () => boolean) {
  const { proxied, seen } = await countingS3Proxy(refuseHeads);
  for (let i = 0; i < OTHERS; i++) {
    await proxied.fake.putObject("b", `other/${String(i).padStart(5, "0")}`, "x");
  }
  return { proxied, seen };
}

/**
 * The fake S3 behind a proxy that refuses HEAD while `refuse()` says so and
 * answers a PUT of `gone.txt` 200 with its MD5, keeping nothing.
 */
function goneTxtNotKept(refuse: () => boolean): Promise<ProxiedS3> {
  return startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (req.method === "HEAD" && refuse()) return new Response(null, { status: 403 });
    if (req.method === "PUT" && url.pathname === "/b/gone.txt") {
      const body = new Uint8Array(await req.arrayBuffer());
      return new Response(null, { headers: { etag: `"${md5Hex(body)}"` } });
    }
    return await forward();
  }, { store: { maxAttempts: 1 } });
}

Deno.test("mirror up: one upload into a prefix of thousands of objects is confirmed by one HEAD, not a second listing", async () => {
  const { proxied, seen } = await crowdedPrefix(() => false);
  await using _proxied = proxied;
  await using w = await tempDir();
  await writeTree(join(w.dir, "src"), { "a.txt": "v1" });
  const run = () => mirrorUp(w.dir, proxied.store);
  assertEquals((await run()).transferred, 1);
  // A no-op run: the pass's own requests.
  Object.assign(seen, { heads: 0, lists: 0, puts: 0 });
  assertEquals((await run()).unchanged, 1);
  const pass = { ...seen };
  assert(pass.lists >= 3, `the pass lists ${OTHERS} objects in pages: ${pass.lists}`);
  await Deno.writeTextFile(join(w.dir, "src", "a.txt"), "v2");
  Object.assign(seen, { heads: 0, lists: 0, puts: 0 });
  const report = await run();
  assertEquals([report.transferred, report.failed.length], [1, 0]);
  assertEquals([seen.puts, seen.lists, seen.heads], [1, pass.lists, pass.heads + 1]);
});

Deno.test("mirror up: a key that may not HEAD (upload-only) has its uploads confirmed by a listing of each key, and says HEAD is refused", async () => {
  let refuse = false;
  const { proxied, seen } = await crowdedPrefix(() => refuse);
  await using _proxied = proxied;
  await using w = await tempDir();
  await writeTree(join(w.dir, "src"), { "a.txt": "v1", "b.txt": "b1" });
  const run = () => mirrorUp(w.dir, proxied.store);
  assertEquals((await run()).transferred, 2);
  Object.assign(seen, { heads: 0, lists: 0, puts: 0 });
  assertEquals((await run()).unchanged, 2);
  const pass = { ...seen };
  refuse = true;
  await Deno.writeTextFile(join(w.dir, "src", "a.txt"), "v2");
  await Deno.writeTextFile(join(w.dir, "src", "b.txt"), "b2");
  Object.assign(seen, { heads: 0, lists: 0, puts: 0 });
  const report = await run();
  assertEquals(report.failed, []);
  // Confirmed (it was "2 uploads of this run could not be confirmed"): a
  // LIST of each key in place of its HEAD, never the whole prefix again.
  assertEquals([report.transferred, report.uploadsUnconfirmed], [2, undefined]);
  assert(seen.lists <= pass.lists + 2 && seen.heads <= 2, JSON.stringify([seen, pass]));
  assertMatch(report.headRefused!, /^HEAD is refused in the store: .*access denied/);
  assertMatch(report.headRefused!, /s3:GetObject/);
  // Uploaded all the same, and remembered: the next run has nothing to do.
  assertEquals(await new Response((await proxied.direct.get("a.txt")).body).text(), "v2");
  const next = await run();
  assertEquals([next.unchanged, next.transferred, next.uploadsUnconfirmed], [2, 0, undefined]);
});

Deno.test("mirror up: with HEAD refused, an upload its key's listing does not show is unconfirmed and compared again next run", async () => {
  let refuse = true;
  await using proxied = await goneTxtNotKept(() => refuse);
  await using w = await tempDir();
  await writeTree(join(w.dir, "src"), { "gone.txt": "not kept" });
  const report = await mirrorUp(w.dir, proxied.store);
  assertEquals([report.failed, report.transferred], [[], 1]);
  assertMatch(report.uploadsUnconfirmed!, /^1 upload of this run could not be confirmed/);
  assertMatch(report.uploadsUnconfirmed!, /a listing of their keys did not show them/);
  refuse = false;
  const again = await mirrorUp(w.dir, proxied.direct);
  assertEquals([again.transferred, again.failed], [1, []]);
});

Deno.test("mirror up: an upload the listing does not show, with HEAD refused, is unconfirmed and compared again next run", async () => {
  let refuse = true;
  await using proxied = await goneTxtNotKept(() => refuse);
  await using w = await tempDir();
  const tree: Record<string, string> = { "gone.txt": "not kept" };
  for (let i = 0; i < 40; i++) tree[`f${String(i).padStart(3, "0")}.txt`] = `file ${i}`;
  await writeTree(join(w.dir, "src"), tree);
  const run = (store: ObjectStore) => mirrorUp(w.dir, store);
  const report = await run(proxied.store);
  assertEquals([report.failed, report.transferred], [[], 41]);
  assertMatch(report.uploadsUnconfirmed!, /^1 upload of this run could not be confirmed/);
  assertMatch(report.uploadsUnconfirmed!, /the next run compares them again/);
  refuse = false;
  const again = await run(proxied.direct);
  assertEquals([again.transferred, again.unchanged, again.failed], [1, 40, []]);
  assertEquals(await new Response((await proxied.direct.get("gone.txt")).body).text(), "not kept");
});

Deno.test("vc mirror with a key that may not HEAD: exit 0, the upload confirmed, the refused HEAD said once", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using fake = await startFakeS3({ credentials: false, buckets: ["bkt"] });
  await using ws = await CliWorkspace.create();
  await ws.write("data/a.txt", "a");
  const proxy = startForwardingProxy(
    fake.url,
    (req) => req.method === "HEAD" ? new Response(null, { status: 403 }) : undefined,
  );
  try {
    const env = proxiedS3Env(fake.env, proxy);
    await withProcessEnv(env, async () => {
      const run = await ws.run(["mirror", "data", "s3://bkt/pre", "--state", "s.db"], env);
      assertEquals(run.code, 0, run.stderr);
      const said = run.stdout + run.stderr;
      assertEquals(said.split("HEAD is refused").length - 1, 1, said);
      assertEquals(said.includes("could not be confirmed"), false, said);
      assertStringIncludes(said, "grant s3:GetObject");
      assertStringIncludes(run.stdout, "mirror: 1 uploaded");
    });
  } finally {
    await proxy.shutdown();
  }
});
