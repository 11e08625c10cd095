/**
 * Keys with a leading `/` or a doubled `//` (which S3 keeps as keys of their
 * own) outside the versioned cache: the mirror's store → local direction
 * refuses to turn them into local paths (naming each key) and writes nothing
 * outside its directory; the local → store direction with `delete` removes
 * them like any other extra key; a repository whose marker puts content
 * under such a prefix reads it back through encoded cache paths, and one
 * whose prefix has `..` is refused before any write.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { Repository } from "../src/repo/repository.ts";
import { MARKER_KEY } from "../src/repo/marker.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { openStore } from "../src/store/open.ts";
import { listKeys } from "../src/testing/mod.ts";
import { walkFiles } from "../src/walk.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { fakeBackend, RACY_MS, settle, tempDir, upOptions, writeTree } from "./mirror_helpers.ts";

const enc = new TextEncoder();

async function localFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const f of walkFiles(dir)) out.push(f.key);
  return out.sort();
}

Deno.test("mirror store -> local: / and // keys are refused by name, nothing leaves the directory", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  for (const key of ["pre//etc/evil.txt", "pre/a//b.txt", "pre/ok.txt", "pre/a/c.txt"]) {
    await b.fake!.putObject("mirror", key, `content of ${key}`);
  }
  const dest = join(w.dir, "dest");
  const report = await mirror({
    sources: [b.store],
    sourcePrefix: "pre",
    target: dest,
    statePath: join(w.dir, "s.db"),
    racyWindowMs: RACY_MS,
  });
  assertEquals(report.transferred, 2);
  assertEquals(await localFiles(dest), ["a/c.txt", "ok.txt"]);
  assertEquals(await Deno.readTextFile(join(dest, "ok.txt")), "content of pre/ok.txt");
  const failed = report.failed.map((f) => [f.key, f.error]).sort();
  assertEquals(failed.length, 2, JSON.stringify(report.failed));
  assertEquals(failed.map(([k]) => k), ["/etc/evil.txt", "a//b.txt"]);
  for (const [, error] of failed) assertStringIncludes(String(error), "empty path segment");
  // Only what the run made: the target and its state file (SQLite may add -wal/-shm beside it).
  const made = (await Array.fromAsync(Deno.readDir(w.dir))).map((e) => e.name);
  assertEquals(made.filter((n) => !n.startsWith("s.db")), ["dest"]);
});

Deno.test("mirror local -> store with delete: an extra / key under the prefix is deleted like any other", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "x.txt": "x" });
  await settle();
  await b.fake!.putObject("mirror", "m//x.txt", "another tool's");
  await b.fake!.putObject("mirror", "outside//x.txt", "not under the prefix");
  const report = await mirror(upOptions(w.dir, b.store, { targetPrefix: "m", delete: true }));
  assertEquals(report.failed, []);
  assertEquals(b.fake!.listKeys("mirror"), ["m/x.txt", "outside//x.txt"]);
});

Deno.test("repository: a marker whose content prefix starts with / or holds .. is refused, naming it", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const uri = "s3://mirror/repo";
  const s3 = {
    s3: {
      endpoint: b.fake!.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "t", secretAccessKey: "t" },
    },
  };
  const open = (u: string) => openStore(u, s3);
  const cacheDir = join(w.dir, "cache");
  await using cache = new AssetCache({ cacheDir, configPath: false, env: {}, store: s3 });
  const options = { openStore: open, cache, host: "h" };
  {
    await using repo = await Repository.init(uri, {
      ...options,
      catalog: `sqlite:${join(w.dir, "c.sqlite")}`,
    });
    assertEquals(repo.marker.contentPrefix, "content/");
  }
  const setPrefix = async (contentPrefix: string) => {
    const store = await open(uri);
    const marker = JSON.parse(
      await new Response((await store.get(MARKER_KEY)).body).text(),
    ) as Record<string, unknown>;
    await store.put(MARKER_KEY, enc.encode(JSON.stringify({ ...marker, contentPrefix })));
    await store.close();
  };

  // A marker whose content prefix starts with `/` (an empty first segment)
  // or holds `..` is refused when the repository is opened, naming the
  // prefix: GC deletes what it finds under that prefix, so it must be exact.
  for (const prefix of ["/content/", "content//x/", "../escape/"]) {
    await setPrefix(prefix);
    const e = await assertRejects(() => Repository.open(uri, options), InvalidInputError);
    assertStringIncludes(e.message, JSON.stringify(prefix));
  }
  assertEquals(
    (await listKeys(b.store, "")).filter((k) => k.includes("escape")),
    [],
    "nothing was written for the .. prefix",
  );
});
