/**
 * `vc update PATH FILE --version V` with V at or below the bucket's latest
 * said only `requested version 1.0.5 must be greater than the latest version
 * 1.12.0`: not which path, nor where that latest is (the bucket's, not the
 * manifest's pin, which may be older), nor what publishes instead. It now
 * names the path, the bucket and the version the patch option (`--patch`)
 * would publish; a part
 * at its largest names the path too. Nothing is published either way.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("update --version at or below the latest names the path, the bucket and the way on", async () => {
  await using dir = await tempDir("vc_update_version_not_greater_");
  const bucket = join(dir.path, "bucket");
  await Deno.mkdir(join(bucket, "d"), { recursive: true });
  for (const v of ["1.0.0", "1.12.0"]) await Deno.writeTextFile(join(bucket, `d/t.${v}.csv`), v);
  const manifest = join(dir.path, "m.json");
  await Deno.writeTextFile(manifest, '{\n    "/d/t.csv": "1.0.0"\n}\n');
  const file = join(dir.path, "new.csv");
  await Deno.writeTextFile(file, "new\n");
  await using vc = new VersionedCache({
    manifest,
    bucket,
    cache: new AssetCache({ cacheDir: join(dir.path, "cache"), configPath: false, env: {} }),
  });
  for (const version of ["1.0.5", "1.12.0"]) {
    const error = await assertRejects(
      () => vc.update("/d/t.csv", file, { version }),
      InvalidInputError,
    );
    assertEquals(
      error.message,
      `cannot publish /d/t.csv ${version}: requested version ${version} must be greater than ` +
        `the latest version 1.12.0 (in ${vc.bucket}; versions are never replaced: the patch ` +
        "option publishes 1.12.1)",
    );
  }
  await Deno.writeTextFile(join(bucket, "d/t.1.9007199254740991.0.csv"), "max");
  const max = await assertRejects(
    () => vc.update("/d/t.csv", file, { minor: true }),
    InvalidInputError,
  );
  assertEquals(max.message.startsWith("cannot publish /d/t.csv: cannot increment the minor"), true);
  assertEquals(
    [...Deno.readDirSync(join(bucket, "d"))].map((e) => e.name).filter((n) => !n.startsWith("."))
      .sort(),
    ["t.1.0.0.csv", "t.1.12.0.csv", "t.1.9007199254740991.0.csv"],
  );
});
