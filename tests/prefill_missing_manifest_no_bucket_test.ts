// A manifest given to `vc prefill` that does not exist finds no project file
// (so no bucket) where it was meant to be. It must be one failed item naming
// the missing manifest, as it is when a bucket is set, and the other
// manifests are still prefilled: not "no bucket configured" (exit 2) with
// nothing fetched.
import { join } from "../src/path.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

interface Summary {
  total: number;
  fetched: number;
  failed: { item: string; file?: string; error: string; errorName: string }[];
}

Deno.test("prefill: a missing manifest outside the project is one failed item, not 'no bucket'", async () => {
  await using ws = await CliWorkspace.create();
  const elsewhere = await Deno.makeTempDir();
  try {
    await ws.write("bucket/a.1.0.0.csv", "aaaa");
    await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0"}');
    // The bucket comes from the project's settings file, as a team sets it.
    await ws.write("vc.json", '{"bucket": "./bucket"}');
    const missing = join(elsewhere, "typo", "assets.json");

    const r = await ws.run([
      "prefill",
      "--manifest",
      "versioned_assets.json",
      "--manifest",
      missing,
      "--json",
    ]);
    assertEquals(r.code, 1, r.stderr);
    const s = JSON.parse(r.stdout) as Summary;
    assertEquals([s.total, s.fetched], [2, 1], r.stdout);
    assertEquals(s.failed.map((f) => [f.item, f.errorName]), [[missing, "NotFoundError"]]);
    assertStringIncludes(s.failed[0]!.error, `manifest ${missing} does not exist`);
    assertStringIncludes(
      r.stderr,
      `vc: prefill failed: ${missing}: manifest ${missing} does not exist`,
    );

    // Alone, it says what is wrong: the manifest, not the bucket.
    const alone = await ws.run(["prefill", "--manifest", missing]);
    assertEquals(alone.code, 1, alone.stderr);
    assertStringIncludes(alone.stderr, `manifest ${missing} does not exist`);
    assertEquals(alone.stderr.includes("no bucket"), false, alone.stderr);
  } finally {
    await Deno.remove(elsewhere, { recursive: true });
  }
});
