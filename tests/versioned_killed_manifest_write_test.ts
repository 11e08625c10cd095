/**
 * `vc add` / `vc update` killed (`kill -9`) while writing the manifest or the
 * lock file leave the write's temp file (`.<name>.vc-tmp-<pid>-<random>`)
 * beside that checked-in file, where no cache sweep looks. The next write of
 * the same file removes those whose writer is dead; a live writer's (its
 * lock held), and other files' temp names, stay.
 */
import { join } from "node:path";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assertEquals } from "./assert.ts";
import { tempDir, writeFile } from "./versioned_helpers.ts";

// Past any pid_max: no such process, as after a kill -9.
const DEAD = 999_999_999;

Deno.test("add / update remove the temp files a killed write left beside the manifest and the lock file", async () => {
  await using dir = await tempDir("vc_killed_manifest_write_");
  const repo = join(dir.path, "repo");
  await Deno.mkdir(repo);
  const manifest = join(repo, "versioned_assets.json");
  await using vc = new VersionedCache({ manifest, bucket: join(dir.path, "bucket") });
  const file = await writeFile(dir.path, "t.csv", "1\n");
  const left = [
    `.versioned_assets.json.vc-tmp-${DEAD}-abcdefgh`,
    `.versioned_assets.lock.json.vc-tmp-${DEAD}-abcdefgh`,
  ];
  const kept = [
    `.versioned_assets.json.vc-tmp-${Deno.pid}-livelive`, // a live writer's
    `.notes.json.vc-tmp-${DEAD}-abcdefgh`, // another file's
  ];
  for (const name of [...left, ...kept]) await Deno.writeTextFile(join(repo, name), "{\n");
  // A live writer holds its temp file's lock while it writes.
  using live = await Deno.open(join(repo, kept[0]!), { read: true, write: true });
  live.lockSync(true);
  await vc.add("/t.csv", file);
  await Deno.writeTextFile(file, "2\n");
  await vc.update("/t.csv", file, { patch: true });
  const names = [...Deno.readDirSync(repo)].map((e) => e.name).sort();
  assertEquals(names, [
    ".notes.json.vc-tmp-999999999-abcdefgh",
    ".versioned_assets.json.lock",
    `.versioned_assets.json.vc-tmp-${Deno.pid}-livelive`,
    "versioned_assets.json",
    "versioned_assets.lock.json",
  ]);
  assertEquals(JSON.parse(await Deno.readTextFile(manifest)), { "/t.csv": "1.0.1" });
});
