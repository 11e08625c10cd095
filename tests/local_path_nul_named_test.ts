/**
 * A local path holding a NUL, which no file name can hold, is refused naming
 * the setting or argument it came in, as a bucket with one always was. A
 * checked-in project file with `"cacheDir": "c\u0000d"` made every cache
 * command fail with `vc: internal error: TypeError: file name contained an
 * unexpected NUL byte`, naming neither the file nor the setting; so did the
 * library's `new AssetCache({ cacheDir })`, a `VersionedCache` manifest and
 * a `sync` destination with one.
 */
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { join } from "node:path";

Deno.test("a project file's cacheDir with a NUL is refused naming the file and the setting", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-nul-path-" }));
  try {
    await Deno.writeTextFile(join(dir, "vc.json"), JSON.stringify({ cacheDir: "c\u0000d" }));
    const io = memoryIo({ env: { HOME: join(dir, "home"), NO_COLOR: "1" }, cwd: dir });
    const code = await runCli(["cache", "ls"], io);
    assertEquals(code, 1, io.stderr());
    const err = io.stderr();
    assertEquals(err.includes("internal error"), false, err);
    assertStringIncludes(err, `${join(dir, "vc.json")}: "cacheDir" "c\\u0000d"`);
    assertStringIncludes(err, "NUL character");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a CLI path argument with a NUL is a usage error naming it", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-nul-path-" }));
  try {
    await Deno.writeTextFile(join(dir, "versioned_assets.json"), "{}\n");
    const env = { HOME: join(dir, "home"), NO_COLOR: "1", VC_BUCKET: `file://${dir}` };
    const io = memoryIo({ env, cwd: dir });
    const code = await runCli(["sync", "out\u0000dir"], io);
    assertEquals(code, 2, io.stderr());
    assertEquals(io.stderr().includes("internal error"), false, io.stderr());
    assertStringIncludes(io.stderr(), "NUL character");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("library: a cacheDir, a manifest or a sync destination with a NUL is an InvalidInputError naming it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-nul-path-" });
  try {
    const cache = () =>
      new AssetCache({ cacheDir: join(dir, "c\u0000"), configPath: false, env: {} });
    const error = assertThrows(cache, InvalidInputError);
    assertStringIncludes(error.message, "the option cacheDir");
    assertStringIncludes(error.message, "NUL character");
    const manifest = assertThrows(
      () => new VersionedCache({ manifest: join(dir, "m\u0000.json"), bucket: `file://${dir}` }),
      InvalidInputError,
    );
    assertStringIncludes(manifest.message, "NUL character");
    await Deno.writeTextFile(join(dir, "versioned_assets.json"), "{}\n");
    await using assets = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
    });
    const vc = new VersionedCache({
      manifest: join(dir, "versioned_assets.json"),
      bucket: `file://${dir}`,
      cache: assets,
    });
    const sync = await assertRejects(() => vc.sync(join(dir, "out\u0000")), InvalidInputError);
    assertStringIncludes(sync.message, "NUL character");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
