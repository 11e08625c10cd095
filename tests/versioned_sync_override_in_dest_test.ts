/**
 * A local override (a file being tried out) may live in DEST at the path of
 * another entry. `vc sync` used to replace it with that entry's pinned copy:
 * the work in progress was lost, and the entry reading the override copied
 * the pinned bytes instead, both reported copied. The entry whose copy would
 * replace an override fails on its own, naming it; the rest is copied.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

for (const spell of ["relative", "absolute", "file URI"] as const) {
  Deno.test(`vc sync never replaces a local override in DEST (${spell})`, async () => {
    await using ws = await CliWorkspace.create();
    await ws.write("a.csv", "pinned\n");
    assertEquals((await ws.vc("add", "/demo/a.csv", "a.csv")).code, 0);
    const work = await ws.write("out/demo/a.csv", "my work\n");
    const value = spell === "relative"
      ? "./out/demo/a.csv"
      : spell === "absolute"
      ? work
      : new URL(`file://${work}`).href;
    await ws.write(
      "versioned_assets.json",
      JSON.stringify({ "/demo/a.csv": "1.0.0", "/x.csv": value }, null, 4) + "\n",
    );

    const r = await ws.vc("sync", "out");
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, "/demo/a.csv");
    assertStringIncludes(r.stderr, "the local override of /x.csv");
    assertEquals(await ws.read("out/demo/a.csv"), "my work\n", "the override is kept");
    assertEquals(await ws.read("out/x.csv"), "my work\n", "the override's bytes are copied");
  });
}

Deno.test("vc sync copies an override that is its own entry's DEST onto itself", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("out/demo/a.csv", "my work\n");
  await ws.write(
    "versioned_assets.json",
    JSON.stringify({ "/demo/a.csv": "./out/demo/a.csv" }, null, 4) + "\n",
  );
  const r = await ws.vc("sync", "out");
  assertEquals(r.code, 0, r.stderr);
  assertEquals(await ws.read("out/demo/a.csv"), "my work\n");
});
