/**
 * A local → store mirror aborts the multipart uploads left open under its
 * target by writers killed mid-upload (`kill -9`: S3 keeps and bills their
 * parts), once they are old enough that no live writer can still be
 * sending them; only under its prefix and for the keys its filters accept;
 * a dry run lists them; an upload the store gives no real date is kept and
 * said.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import type { MirrorOptions } from "../src/mirror/types.ts";
import type { PendingUpload } from "../src/store/types.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { fakeBackend, settle, tempDir, upOptions, writeTree } from "./mirror_helpers.ts";
import { withUploads } from "./store_with_uploads.ts";
import { proxiedS3Env, startForwardingProxy } from "./forwarding_proxy.ts";

const DAY = 86_400_000;

/** Starts a multipart upload of `key` in `bucket` and sends one part, as a writer killed then would have. */
async function leaveUpload(url: string, bucket: string, key: string): Promise<void> {
  const created = await (await fetch(`${url}/${bucket}/${key}?uploads`, { method: "POST" })).text();
  const id = /<UploadId>([^<]+)<\/UploadId>/.exec(created)?.[1];
  assert(id !== undefined, created);
  const part = await fetch(`${url}/${bucket}/${key}?partNumber=1&uploadId=${id}`, {
    method: "PUT",
    body: "x".repeat(2048),
  });
  await part.body?.cancel();
  assert(part.ok, `UploadPart: ${part.status}`);
}

Deno.test("mirror: uploads left open under the target a day ago are aborted, others are kept", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  await settle();
  const url = b.fake!.url;
  await leaveUpload(url, "mirror", "m/big.bin"); // the mirror's own, killed
  await leaveUpload(url, "mirror", "m/skip.tmp"); // excluded: not the mirror's
  await leaveUpload(url, "mirror", "other/big.bin"); // outside the target prefix
  const pending = async () =>
    (await Array.fromAsync(b.store.pendingUploads!(""))).map((u) => u.key).sort();
  const options: MirrorOptions = upOptions(w.dir, b.store, {
    targetPrefix: "m",
    exclude: ["\\.tmp$"],
  });
  // Just started: maybe a live writer on another machine; not touched, not said.
  const young = await mirror(options);
  assertEquals(young.transferred, 1);
  assertEquals(young.abortedUploads, undefined);
  assertEquals(await pending(), ["m/big.bin", "m/skip.tmp", "other/big.bin"]);
  // A day later: a dry run names the one it would abort, and aborts nothing.
  const clock = new ManualClock(Date.now() + DAY + 60_000);
  const dry = await mirror({ ...options, clock, dryRun: true });
  assertEquals(dry.abortedUploads?.map((u) => u.key), ["big.bin"]);
  assertEquals(await pending(), ["m/big.bin", "m/skip.tmp", "other/big.bin"]);
  // Kept when asked to keep them all.
  const kept = await mirror({ ...options, clock, abortUploadsAfterMs: Infinity });
  assertEquals(kept.abortedUploads, undefined);
  assertEquals(await pending(), ["m/big.bin", "m/skip.tmp", "other/big.bin"]);
  const run = await mirror({ ...options, clock });
  assertEquals(run.abortedUploads?.map((u) => u.key), ["big.bin"]);
  assert(Date.parse(run.abortedUploads![0]!.initiated) <= Date.now());
  assertEquals(await pending(), ["m/skip.tmp", "other/big.bin"]);
  assertEquals(b.fake!.stats.AbortMultipartUpload, 1);
  // Nothing left to abort: the next run says nothing of uploads.
  assertEquals((await mirror({ ...options, clock })).abortedUploads, undefined);
});

Deno.test("mirror: an open upload the store dates before any vc (moto's 2010) is kept and said", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  const aborted: string[] = [];
  const upload: PendingUpload = {
    key: "big.bin",
    uploadId: "1",
    initiated: new Date("2010-11-10T20:48:33Z"),
  };
  const store = await withUploads(
    async function* () {
      yield upload;
    },
    (u) => Promise.resolve(void aborted.push(u.key)),
  )(`file://${join(w.dir, "bucket")}`);
  try {
    const report = await mirror({ sources: [src], target: store, statePath: join(w.dir, "s.db") });
    assertEquals(aborted, []);
    assertEquals(report.abortedUploads, undefined);
    assertEquals(report.keptUploads?.map((u) => u.key), ["big.bin"]);
    assertStringIncludes(report.keptUploads![0]!.problem!, "age is unknown");
  } finally {
    await store.close();
  }
});

Deno.test("mirror: an old upload under the target still taking parts is kept and reported as live", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  const aborted: string[] = [];
  const upload: PendingUpload = {
    key: "big.bin",
    uploadId: "1",
    initiated: new Date(Date.now() - 2 * DAY),
  };
  const store = await withUploads(
    async function* () {
      yield upload;
    },
    (u) => Promise.resolve(void aborted.push(u.key)),
    () => Promise.resolve(new Date(Date.now() - 60_000)), // a part a minute ago
  )(`file://${join(w.dir, "bucket")}`);
  try {
    const report = await mirror({ sources: [src], target: store, statePath: join(w.dir, "s.db") });
    assertEquals(aborted, []);
    assertEquals(report.abortedUploads, undefined);
    assertEquals(report.keptUploads, undefined);
    assertEquals(report.liveUploads?.map((u) => u.key), ["big.bin"]);
  } finally {
    await store.close();
  }
});

Deno.test("vc mirror: names the open uploads it aborts (--abort-uploads-after), a dry run the ones it would", async () => {
  await using fake = await startFakeS3({ buckets: ["bkt"], minPartSize: 1024 });
  await using ws = await CliWorkspace.create();
  await ws.write("data/a.txt", "a");
  await leaveUpload(fake.url, "bkt", "pre/big.bin");
  const env = { ...fake.env, VC_S3_PATH_STYLE: "1" };
  await withProcessEnv(env, async () => {
    const args = ["mirror", "data", "s3://bkt/pre", "--state", "s.db", "--abort-uploads-after"];
    const bad = await ws.run([...args, "soon"]);
    assertEquals(bad.code, 2, bad.stderr);
    assertStringIncludes(bad.stderr, "--abort-uploads-after");
    const local = await ws.run(["mirror", "s3://bkt/pre", "back", "--abort-uploads-after", "1d"]);
    assertEquals(local.code, 2, local.stderr);
    assertStringIncludes(local.stderr, "only applies when TARGET is a store URI");
    const dry = await ws.run([...args, "0", "--dry-run"]);
    assertEquals(dry.code, 0, dry.stderr);
    assertStringIncludes(dry.stdout, "abort open upload  big.bin  (open since ");
    assertEquals(fake.stats.AbortMultipartUpload, 0);
    const run = await ws.run([...args, "0"]);
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(run.stdout, "aborted open upload  big.bin  (open since ");
    assertEquals(fake.stats.AbortMultipartUpload, 1);
  });
});

Deno.test("vc mirror: uploads it could not list are said, the grant advised only for a denial", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using fake = await startFakeS3({ credentials: false, buckets: ["bkt"] });
  await using ws = await CliWorkspace.create();
  await ws.write("data/a.txt", "a");
  let answer: "denied" | "page" = "denied";
  const proxy = startForwardingProxy(fake.url, (req, url) => {
    if (req.method !== "GET" || !url.searchParams.has("uploads")) return undefined;
    return answer === "denied"
      ? new Response(
        "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
        { status: 403, headers: { "content-type": "application/xml" } },
      )
      // A captive portal's page: no listing, and no grant would help.
      : new Response("<html>log in</html>", { headers: { "content-type": "text/html" } });
  });
  try {
    const env = proxiedS3Env(fake.env, proxy);
    await withProcessEnv(env, async () => {
      const args = ["mirror", "data", "s3://bkt/pre", "--state", "s.db"];
      const denied = await ws.run(args, env);
      assertEquals(denied.code, 0, denied.stderr);
      const said = denied.stdout + denied.stderr;
      assertStringIncludes(said, "open uploads under the target not checked");
      assertStringIncludes(said, "grant s3:ListBucketMultipartUploads");
      answer = "page";
      await ws.write("data/b.txt", "b");
      const odd = await ws.run(args, env);
      const oddSaid = odd.stdout + odd.stderr;
      assertStringIncludes(oddSaid, "open uploads under the target not checked");
      assert(!oddSaid.includes("grant s3:"), oddSaid);
      assertStringIncludes(oddSaid, "--abort-uploads-after never to skip this look");
    });
  } finally {
    await proxy.shutdown();
  }
});
