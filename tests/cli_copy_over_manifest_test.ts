/**
 * `vc sync` copies into the current directory by default, which holds the
 * manifest: a manifest path `/versioned_assets.json` (or the lock file's
 * name) replaced the manifest with that asset's bytes, exit 0, every pin
 * lost. `vc get PATH versioned_assets.json` did the same. Such a copy now
 * fails on its own (sync: that entry, exit 1; get: a usage error, before any
 * download), naming the file; another hard link of the manifest is a file
 * like any other.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc sync / get: a copy never replaces the manifest or the lock file", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("conf.json", '{"x": 1}\n');
  for (const p of ["/versioned_assets.json", "/versioned_assets.lock.json", "/a.json"]) {
    const add = await ws.vc("add", p, "conf.json");
    assertEquals(add.code, 0, add.stderr);
  }
  const manifest = await ws.read("versioned_assets.json");
  const lock = await ws.read("versioned_assets.lock.json");

  const sync = await ws.vc("sync", "--json");
  assertEquals(sync.code, 1, sync.stderr);
  const report = sync.json<
    { copied: { path: string }[]; failed: { path: string; error: string }[] }
  >();
  assertEquals(report.copied.map((c) => c.path), ["/a.json"]);
  assertEquals(report.failed.map((f) => f.path), [
    "/versioned_assets.json",
    "/versioned_assets.lock.json",
  ]);
  assertStringIncludes(report.failed[0]!.error, "the manifest");
  assertStringIncludes(report.failed[1]!.error, "the lock file");
  assertEquals(await ws.read("versioned_assets.json"), manifest);
  assertEquals(await ws.read("versioned_assets.lock.json"), lock);

  // Through a link to the directory, too.
  await Deno.symlink(ws.dir, ws.path("here"));
  for (const dest of ["versioned_assets.json", "here/versioned_assets.lock.json"]) {
    const get = await ws.vc("get", "/a.json", dest);
    assertEquals(get.code, 2, get.stderr);
    assertStringIncludes(get.stderr, "somewhere else");
  }
  assertEquals(await ws.read("versioned_assets.json"), manifest);
  assertEquals(await ws.read("versioned_assets.lock.json"), lock);

  // Another hard link of the manifest is replaced as a name of its own.
  await Deno.link(ws.path("versioned_assets.json"), ws.path("copy.json"));
  const hard = await ws.vc("get", "/a.json", "copy.json");
  assertEquals(hard.code, 0, hard.stderr);
  assertEquals(await ws.read("copy.json"), '{"x": 1}\n');
  assertEquals(await ws.read("versioned_assets.json"), manifest);

  // Elsewhere the same entries are copied.
  const out = await ws.vc("sync", "out");
  assertEquals(out.code, 0, out.stderr);
  assertEquals(await ws.read("out/versioned_assets.json"), '{"x": 1}\n');
});
