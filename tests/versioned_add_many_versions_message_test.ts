/**
 * `vc add` of a path the bucket already holds versions of named every one
 * of them in its error (a path of 20,000 versions: one line of ~190 KB), as
 * did the "use that spelling" error of `add` and `update` for the other
 * Unicode spelling's versions. Like a missing version's error, they name up
 * to 20, else the count and the latest 20.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError, NotFoundError } from "../src/errors.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

const COUNT = 500;

async function withManyVersions(
  name: string,
  fn: (vc: VersionedCache, file: string) => Promise<void>,
): Promise<void> {
  await using dir = await tempDir("vc_add_many_versions_");
  const bucket = join(dir.path, "bucket");
  await Deno.mkdir(bucket);
  for (let i = 0; i < COUNT; i++) {
    await Deno.writeTextFile(join(bucket, `${name}.1.${i}.0.csv`), "x");
  }
  const file = join(dir.path, "new.csv");
  await Deno.writeTextFile(file, "new\n");
  await Deno.writeTextFile(join(dir.path, "m.json"), "{}\n"); // `update` needs one
  await using vc = new VersionedCache({
    manifest: join(dir.path, "m.json"),
    bucket,
    cache: new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false, env: {} }),
  });
  await fn(vc, file);
}

function assertCapped(message: string): void {
  assertStringIncludes(message, `${COUNT} versions, the latest 20: 1.480.0, `);
  assertStringIncludes(message, "1.499.0 (`versions()` lists them all)");
  assert(!message.includes("1.0.0"), `the oldest are not named: ${message.slice(0, 300)}`);
  assert(message.length < 1000, `${message.length} characters`);
}

Deno.test("add of a path with many versions names the latest 20 and the count", async () => {
  await withManyVersions("t", async (vc, file) => {
    const error = await assertRejects(() => vc.add("/t.csv", file), InvalidInputError);
    assertStringIncludes(error.message, "/t.csv already has versions in");
    assertCapped(error.message);
  });
});

Deno.test("add and update in the other Unicode spelling name the latest 20 of its versions", async () => {
  await withManyVersions("caf\u00e9", async (vc, file) => {
    const added = await assertRejects(() => vc.add("/cafe\u0301.csv", file), InvalidInputError);
    assertStringIncludes(added.message, "use that spelling");
    assertCapped(added.message);
    const updated = await assertRejects(
      () => vc.update("/cafe\u0301.csv", file, { patch: true }),
      NotFoundError,
    );
    assertStringIncludes(updated.message, "use that spelling");
    assertCapped(updated.message);
  });
});
