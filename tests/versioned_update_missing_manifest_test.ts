/**
 * A new project sharing a team's bucket has no manifest yet. `vc add` of a
 * path the bucket has versions of refuses it ("publish a new one with
 * `vc update`"), and `vc update` refused the missing manifest ("create it
 * with `vc add`"): each sent to the other, and nothing could publish. Now
 * `update` of such a path starts the manifest, as `add` starts one; it still
 * refuses a missing manifest for a path without versions (`add` publishes the
 * first) and below a project's manifest (run in a subdirectory), naming it.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError, NotFoundError } from "../src/errors.ts";
import { readManifest } from "../src/versioned/manifest.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("update of a path with versions starts a missing manifest; add sends there", async () => {
  await using dir = await tempDir("vc_update_missing_manifest_");
  const bucket = join(dir.path, "bucket");
  const cache = () =>
    new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false, env: {} });
  const file = join(dir.path, "t.csv");
  await Deno.writeTextFile(file, "one\n");
  await Deno.mkdir(join(dir.path, "team"));
  await using team = new VersionedCache({
    manifest: join(dir.path, "team", "m.json"),
    bucket,
    cache: cache(),
  });
  await team.add("/t.csv", file);

  // Another project, beside the team's (not below it), without a manifest.
  await Deno.mkdir(join(dir.path, "mine"));
  const manifest = join(dir.path, "mine", "m.json");
  await using mine = new VersionedCache({ manifest, bucket, cache: cache() });
  await Deno.writeTextFile(file, "two\n");
  const added = await assertRejects(() => mine.add("/t.csv", file), InvalidInputError);
  assertStringIncludes(added.message, "publish a new one with `update()`");
  assertEquals((await mine.update("/t.csv", file, { patch: true })).to, "1.0.1");
  assertEquals(await readManifest(manifest), { "/t.csv": "1.0.1" });

  // No versions: `add` publishes the first, and update says so, writing nothing.
  const none = join(dir.path, "none", "m.json");
  await Deno.mkdir(join(dir.path, "none"));
  await using empty = new VersionedCache({ manifest: none, bucket, cache: cache() });
  const first = await assertRejects(
    () => empty.update("/new.csv", file, { patch: true }),
    NotFoundError,
  );
  assertStringIncludes(
    first.message,
    `manifest ${none} does not exist; create it with \`add(PATH, FILE)\``,
  );
  assertEquals(await Deno.lstat(none).catch(() => undefined), undefined);

  // Below the team's manifest: named, nothing published.
  await Deno.mkdir(join(dir.path, "team", "sub"));
  const below = join(dir.path, "team", "sub", "m.json");
  await using sub = new VersionedCache({ manifest: below, bucket, cache: cache() });
  const named = await assertRejects(
    () => sub.update("/t.csv", file, { minor: true }),
    NotFoundError,
  );
  assertStringIncludes(
    named.message,
    `the nearest one above it is ${join(dir.path, "team", "m.json")}`,
  );
  assertEquals(await Deno.lstat(below).catch(() => undefined), undefined);
  assertEquals(await team.versions("/t.csv"), ["1.0.0", "1.0.1"]);
});
