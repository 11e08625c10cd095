/**
 * A ListObjectsV2 server that ignores `start-after` but pages by continuation
 * token (versitygw, moto and findify's s3mock did) answers a listing asked
 * to start after a key from the bucket's first key. vc refused that answer
 * ("the server ignored start-after"), so `list(prefix, { startAfter })`
 * failed, and so did every `vc mirror` after the first: from its second run
 * on, a mirror lists in ranges, each with start-after a key of its state
 * file. The listing is read from the first key and the keys up to
 * start-after are dropped: every key after it once, in order.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { assertEquals } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";
import { startS3Proxy } from "./s3_proxy.ts";

/** The fake S3 behind a proxy dropping start-after (and paging by `pageSize`). */
function ignoringStartAfter(pageSize: number) {
  const seen = { lists: 0 };
  const started = startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (req.method !== "GET" || !url.searchParams.has("list-type")) return await forward();
    seen.lists++;
    url.searchParams.delete("start-after");
    url.searchParams.set("max-keys", String(pageSize));
    const proxied = await started;
    return await fetch(new URL(url.pathname + url.search, proxied.fake.url), {
      headers: req.headers,
    });
  }, { store: { maxAttempts: 1 } });
  return { started, seen };
}

async function keys(it: AsyncIterable<{ key: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const o of it) out.push(o.key);
  return out;
}

Deno.test("s3 list: a server ignoring start-after lists every key after it once, in order", async () => {
  const { started } = ignoringStartAfter(2);
  await using proxied = await started;
  const all = ["p/a", "p/b", "p/c", "p/d", "p/e", "p/f", "p/g"];
  for (const k of ["o", ...all, "q"]) await proxied.fake.putObject("b", k, k);
  assertEquals(await keys(proxied.store.list("p/")), all);
  assertEquals(await keys(proxied.store.list("p/", { startAfter: "p/c" })), all.slice(3));
  // After a key that is not there (deleted since), and after the last one.
  assertEquals(await keys(proxied.store.list("p/", { startAfter: "p/cc" })), all.slice(3));
  assertEquals(await keys(proxied.store.list("p/", { startAfter: "p/g" })), []);
});

Deno.test("mirror local → store: runs after the first work against a server ignoring start-after", async () => {
  const { started, seen } = ignoringStartAfter(1000);
  await using proxied = await started;
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await Deno.mkdir(src);
  // Over 1000 files: the state file gives split keys, and the next run lists in ranges.
  const files = 1500;
  for (let i = 0; i < files; i++) {
    await Deno.writeTextFile(join(src, `f${String(i).padStart(5, "0")}`), String(i));
  }
  const run = () =>
    mirror({
      sources: [src],
      target: "s3://b",
      delete: true,
      statePath: join(w.dir, "state.db"),
      openStore: () => Promise.resolve(proxied.store),
    });
  const first = await run();
  assertEquals([first.transferred, first.deleted, first.failed.length], [files, 0, 0]);
  seen.lists = 0;
  const second = await run();
  assertEquals([second.transferred, second.deleted, second.unchanged], [0, 0, files]);
  assertEquals(second.failed, []);
  assertEquals(seen.lists >= 2, true);
  assertEquals((await keys(proxied.direct.list(""))).length, files);
});
