/**
 * `vc add /tools/data.2.0.0-rc.csv` published `tools/data.2.0.0-rc.1.0.0.csv`,
 * a key vc reads back as `/tools/data.csv` at `2.0.0-rc.1.0.0`: the add
 * reported success and pinned the path, then `vc versions` and `vc update`
 * of it found no versions, and `vc ls-remote` listed a path nobody added.
 * A name whose key would read as another path's is now refused before
 * anything is written, as a pre-release whose key would is.
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("vc add refuses a path whose bucket key would read back as another path", async () => {
  await using ws = await CliWorkspace.create();
  const file = await ws.write("d.csv", "a\n");
  for (const path of ["/tools/data.2.0.0-rc.csv", "/s.1.0.0-rc.csv"]) {
    const r = await ws.vc("add", path, file);
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, "reads back as");
  }
  // Nothing published, nothing pinned.
  assertEquals([...Deno.readDirSync(ws.bucketDir)], []);
  assert(!(await Deno.stat(ws.path("versioned_assets.json")).then(() => true, () => false)));
  // A name with dots and hyphens that reads back as itself still publishes.
  const ok = await ws.vc("add", "/tools/node.v1.2.3-linux.tar.gz", file);
  assertEquals(ok.code, 0, ok.stderr);
  const versions = await ws.vc("versions", "/tools/node.v1.2.3-linux.tar.gz");
  assertEquals(versions.stdout.trim(), "1.0.0", versions.stderr);
});

Deno.test("VersionedCache.add refuses it with InvalidInputError naming the path it reads as", async () => {
  await using dir = await tempDir("vc_add_key_reads_back_");
  const file = join(dir.path, "d.csv");
  await Deno.writeTextFile(file, "a\n");
  await using vc = new VersionedCache({
    manifest: join(dir.path, "m.json"),
    bucket: join(dir.path, "bucket"),
  });
  const error = await assertRejects(
    () => vc.add("/tools/data.2.0.0-rc.csv", file),
    InvalidInputError,
  );
  assertStringIncludes(error.message, "/tools/data.csv at 2.0.0-rc.1.0.0");
});
