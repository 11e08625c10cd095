/**
 * `vc repo restore SNAPSHOT` whose snapshot's bytes are damaged on the way
 * (a proxy or the store's front end answering the GET with corrupted or
 * truncated bytes, the stored object intact): the restore failed at once
 * with `… line 2 is not JSON` (or `its gzip stream breaks off`), which blames
 * the backup, and was not tried again. The snapshot is now downloaded again,
 * verified against what the store states of it (its ETag, `vc-md5`, size),
 * with the bounded retries of every verified download: damage that passes is
 * restored from; damage that persists is said as the download's, naming the
 * URI and what did not match. A snapshot malformed in the store itself still
 * gets its own message.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { IntegrityError, InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { openStore } from "../src/store/open.ts";
import { S3Store } from "../src/store/s3.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import { SNAPSHOT_HEADER, snapshotRecord } from "./snapshot_lines.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { gzip } from "./gzip.ts";

const KEY = "snap.jsonl.gz";

/** A snapshot of `n` records, large enough that its header is read before a byte at 60% of it. */
function snapshotText(n: number): string {
  const lines = [SNAPSHOT_HEADER.replace('"version":1', '"version":2')];
  for (let id = 1; id <= n; id++) {
    lines.push(snapshotRecord({
      id,
      path: `/r/${id}-${crypto.randomUUID()}.csv`,
      content_key: `content/${id}-${crypto.randomUUID()}.csv`,
    }));
  }
  lines.push(JSON.stringify({ end: { records: n, recordTags: 0, pathTags: 0 } }));
  return lines.join("\n") + "\n";
}

/**
 * A repository at `dir/repo` (one record, `/old.txt`), and the snapshot
 * `gz` stored as `s3://b/snap.jsonl.gz` behind a proxy whose GETs of it
 * `damage` changes (the n-th GET, from 1; undefined: unchanged).
 */
async function setUp(
  dir: string,
  gz: Uint8Array,
  damage: (bytes: Uint8Array<ArrayBuffer>, n: number) => Uint8Array<ArrayBuffer> | undefined,
) {
  const uri = pathToFileURL(join(dir, "repo")).href;
  {
    await using repo = await Repository.init(uri);
    await repo.add("/old.txt", new TextEncoder().encode("a"));
  }
  const gets = { count: 0 };
  const proxied = await startS3Proxy(async (req, forward) => {
    const answer = await forward();
    if (req.method !== "GET" || !new URL(req.url).pathname.endsWith(`/${KEY}`)) return answer;
    const bytes = new Uint8Array(await answer.arrayBuffer());
    const changed = damage(bytes, ++gets.count);
    if (changed === undefined) return new Response(bytes, answer);
    const headers = new Headers(answer.headers);
    headers.set("content-length", String(changed.length));
    return new Response(changed, { status: answer.status, headers });
  }, { store: { maxAttempts: 1 } });
  await proxied.direct.put(KEY, gz);
  // A store of the proxy's for each open (the restore closes what it opens).
  const open = (u: string, options?: Parameters<typeof openStore>[1]) =>
    u.startsWith("s3://b")
      ? Promise.resolve(
        new S3Store({
          bucket: "b",
          endpoint: proxied.endpoint,
          region: "us-east-1",
          credentials: { accessKeyId: "test", secretAccessKey: "test" },
          maxAttempts: 1,
        }),
      )
      : openStore(u, options);
  return { uri, proxied, gets, open, snapshot: `s3://b/${KEY}` };
}

/** `bytes` with the byte at 60% of them changed (differently for each `n`). */
function flipped(bytes: Uint8Array<ArrayBuffer>, n: number): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice();
  const at = Math.floor(copy.length * 0.6) + n;
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}

async function paths(uri: string): Promise<string[]> {
  await using repo = await Repository.open(uri);
  return (await repo.list()).map((r) => r.path);
}

Deno.test("repo restore: a snapshot damaged once on the way is downloaded again and restored", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_damaged_" });
  try {
    const gz = await gzip(snapshotText(300));
    const t = await setUp(dir, gz, (b, n) => n === 1 ? flipped(b, n) : undefined);
    await using _ = t.proxied;
    const counts = await Repository.restore(t.uri, t.snapshot, { openStore: t.open, force: true });
    assertEquals(counts.records, 300);
    assertEquals(t.gets.count, 2);
    assertEquals((await paths(t.uri)).length, 300);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore: the second download's progress names it, not the check of the first", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_damaged_" });
  try {
    const gz = await gzip(snapshotText(300));
    const t = await setUp(dir, gz, (b, n) => n === 1 ? flipped(b, n) : undefined);
    await using _ = t.proxied;
    const seen: { current: string; bytes?: number }[] = [];
    await Repository.restore(t.uri, t.snapshot, {
      openStore: t.open,
      force: true,
      onProgress: (p) =>
        seen.push({ current: p.current, ...(p.bytes === undefined ? {} : { bytes: p.bytes }) }),
    });
    const again = seen.findIndex((p) => p.current.includes("again"));
    assert(again > 0, JSON.stringify(seen));
    // Its bytes were counted as "checking the snapshot": a bar back at 0%
    // under the first read's name, the re-download unsaid.
    const download = seen.slice(again + 1).filter((p) => p.bytes !== undefined);
    assert(download.length > 0, JSON.stringify(seen.slice(again)));
    const next = download.findIndex((p) => !p.current.includes("again"));
    const during = next === -1 ? download : download.slice(0, next);
    assert(
      during.some((p) => p.bytes === gz.length) && during.every((p) => p.current.includes("again")),
      JSON.stringify(seen.slice(again)),
    );
    // Then the downloaded copy's check is counted too (it sat at 100%).
    assert(
      next !== -1 &&
        download.slice(next).some((p) =>
          p.current === "checking the snapshot" && p.bytes === gz.length
        ),
      JSON.stringify(seen.slice(again)),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore: a snapshot cut short once on the way is downloaded again and restored", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_damaged_" });
  try {
    const gz = await gzip(snapshotText(300));
    // A shorter body with a Content-Length to match: no connection error.
    const t = await setUp(
      dir,
      gz,
      (b, n) => n === 1 ? b.slice(0, Math.floor(b.length * 0.7)) : undefined,
    );
    await using _ = t.proxied;
    const counts = await Repository.restore(t.uri, t.snapshot, { openStore: t.open, force: true });
    assertEquals(counts.records, 300);
    assertEquals(t.gets.count, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore: a snapshot damaged on every download is said to be the download's", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_damaged_" });
  try {
    const gz = await gzip(snapshotText(300));
    const t = await setUp(dir, gz, flipped);
    await using _ = t.proxied;
    const e = await assertRejects(
      () => Repository.restore(t.uri, t.snapshot, { openStore: t.open, force: true }),
      IntegrityError,
    );
    assertStringIncludes(e.message, t.snapshot);
    assertStringIncludes(e.message, "download");
    assertStringIncludes(e.message, "damaged");
    assertStringIncludes(e.message, "MD5");
    assert(!/not JSON|breaks off/.test(e.message), e.message);
    // Tried again, a bounded number of times.
    assert(t.gets.count > 1 && t.gets.count <= 4, `${t.gets.count} GETs`);
    // Nothing was written.
    assertEquals(await paths(t.uri), ["/old.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore: a snapshot malformed in the store still gets its own message", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_damaged_" });
  try {
    const gz = await gzip(SNAPSHOT_HEADER + "\n{not json\n");
    const t = await setUp(dir, gz, () => undefined);
    await using _ = t.proxied;
    await assertRejects(
      () => Repository.restore(t.uri, t.snapshot, { openStore: t.open, force: true }),
      InvalidInputError,
      `${t.snapshot}: line 2 is not JSON`,
    );
    assertEquals(await paths(t.uri), ["/old.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo restore: a local snapshot damaged past its header keeps its message, nothing left beside it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_damaged_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    {
      await using repo = await Repository.init(uri);
      await repo.add("/old.txt", new TextEncoder().encode("a"));
    }
    const snapshots = join(dir, "snapshots");
    await Deno.mkdir(snapshots);
    const snapshot = join(snapshots, KEY);
    await Deno.writeFile(snapshot, flipped(await gzip(snapshotText(300)), 1));
    const e = await assertRejects(
      () => Repository.restore(uri, snapshot, { force: true }),
      InvalidInputError,
    );
    assertStringIncludes(e.message, snapshot);
    assert(/not JSON|breaks off|damaged/.test(e.message), e.message);
    // Read again verified (the file's MD5 is its ETag): no sidecar, no temp file beside it.
    assertEquals([...Deno.readDirSync(snapshots)].map((f) => f.name), [KEY]);
    assertEquals(await paths(uri), ["/old.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
