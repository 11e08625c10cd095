/**
 * A `file://` URI names a file of the local file system, which resolves
 * `a//b` and `a/b` to one file: the asset cache keeps ONE entry for both
 * spellings. S3 keys are exact (`a//b` and `a/b` are two objects): they stay
 * two entries.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { normalizeFilePath, parseUri } from "../src/uri.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("parseUri: a file:// path with doubled separators is the same path", () => {
  assertEquals(parseUri("file:///tmp/a//b.csv"), { scheme: "file", path: "/tmp/a/b.csv" });
  assertEquals(parseUri("file:////tmp///a/b.csv"), { scheme: "file", path: "/tmp/a/b.csv" });
  assertEquals(parseUri("file:///srv//assets/"), { scheme: "file", path: "/srv/assets/" });
  // S3 keys are exact.
  assertEquals(parseUri("s3://b/a//b.csv"), { scheme: "s3", bucket: "b", key: "a//b.csv" });
  assertEquals(parseUri("s3://b//a.csv"), { scheme: "s3", bucket: "b", key: "/a.csv" });
});

Deno.test("normalizeFilePath keeps a Windows root (drive, UNC) and collapses the rest", () => {
  assertEquals(normalizeFilePath("C:\\a\\\\b.csv", "windows"), "C:\\a\\b.csv");
  assertEquals(normalizeFilePath("C:\\a\\/b.csv", "windows"), "C:\\a\\b.csv");
  assertEquals(normalizeFilePath("\\\\srv\\share\\\\a\\b", "windows"), "\\\\srv\\share\\a\\b");
  assertEquals(normalizeFilePath("/a//b", "linux"), "/a/b");
  // A backslash is an ordinary character of a POSIX file name.
  assertEquals(normalizeFilePath("/a\\\\b", "linux"), "/a\\\\b");
});

Deno.test("the asset cache keeps one entry for file:///a//b and file:///a/b", async () => {
  await using dir = await tempDir();
  const data = join(dir.path, "data");
  await Deno.mkdir(join(data, "a"), { recursive: true });
  await Deno.writeTextFile(join(data, "a", "b.csv"), "x,y\n");
  await using cache = new AssetCache({
    cacheDir: join(dir.path, "cache"),
    configPath: false,
    env: {},
  });
  const plain = pathToFileURL(join(data, "a", "b.csv")).href;
  const doubled = plain.replace("/a/b.csv", "/a//b.csv");
  assert(doubled !== plain, doubled);
  const first = await cache.cache(plain);
  const second = await cache.cache(doubled);
  assertEquals(second, first);
  assertEquals(cache.localPath(doubled), cache.localPath(plain));
  const entries = await cache.ls();
  assertEquals(entries.map((e) => e.uri), [plain]);
  assert(await cache.delete(doubled), "deleting through the other spelling removes the entry");
  assertEquals((await cache.ls()).length, 0);
});

/** Whether a file can be made right under `/` here (root, a writable root directory). */
function rootWritable(): boolean {
  const probe = `/.vc-root-probe-${crypto.randomUUID()}`;
  try {
    Deno.writeTextFileSync(probe, "");
    Deno.removeSync(probe);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "a file right under / (file:///x.csv) is cached; a missing one is named as missing " +
    "(ignored where / is not writable: not root)",
  ignore: Deno.build.os === "windows" || !rootWritable(),
  async fn() {
    await using dir = await tempDir();
    const name = `vc-root-test-${crypto.randomUUID()}.csv`;
    await Deno.writeTextFile(`/${name}`, "a,b\n");
    try {
      await using cache = new AssetCache({
        cacheDir: join(dir.path, "cache"),
        configPath: false,
        env: {},
      });
      const path = await cache.cache(`file:///${name}`);
      assertEquals(await Deno.readTextFile(path), "a,b\n");
      const missing = await cache.cache(`file:///${name}.missing`).then(
        () => "found",
        (e: Error) => e.message,
      );
      assert(missing.includes("does not exist"), missing);
    } finally {
      await Deno.remove(`/${name}`);
    }
  },
});
