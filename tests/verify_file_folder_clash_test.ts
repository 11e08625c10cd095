/**
 * A manifest that already holds `/x` beside `/x/y.csv` (edited by hand or
 * merged: `vc add` refuses such a pair) passed `vc verify` and `vc lock
 * --check` with every entry `ok`; only `vc sync` failed `/x`, after the
 * rest was copied. Both now name the pair up front: verify fails `/x`
 * naming `/x/y.csv`, lock --check warns.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

async function withClash(ws: CliWorkspace): Promise<void> {
  for (const [path, text] of [["/x0", "x\n"], ["/x/y.csv", "y\n"], ["/w.csv", "w\n"]]) {
    const r = await ws.vc("add", path!, await ws.write(`src${path}.txt`, text!));
    assertEquals(r.code, 0, r.stderr);
  }
  await Deno.copyFile(ws.path("bucket/x0.1.0.0"), ws.path("bucket/x.1.0.0"));
  const { "/x0": _, ...manifest } = JSON.parse(await ws.read("versioned_assets.json"));
  await Deno.writeTextFile(
    ws.path("versioned_assets.json"),
    JSON.stringify({ ...manifest, "/x": "1.0.0" }),
  );
  assertEquals((await ws.vc("lock")).code, 0);
}

Deno.test("vc verify: a path the manifest also has a path below fails, naming both and vc sync", async () => {
  await using ws = await CliWorkspace.create();
  await withClash(ws);
  const r = await ws.vc("verify", "--json");
  assertEquals(r.code, 1, r.stderr);
  const bad = JSON.parse(r.stdout).filter((e: { ok: boolean }) => !e.ok);
  assertEquals(bad.map((e: { path: string }) => e.path), ["/x"]);
  assertStringIncludes(bad[0].problem, "/x/y.csv lies below /x");
  assertStringIncludes(bad[0].problem, "vc sync cannot write /x as a file and a folder");
  assertStringIncludes(r.stderr, "1 of 3 manifest entries failed verification");
});

Deno.test("vc lock --check: a path the manifest also has a path below is warned of, naming both", async () => {
  await using ws = await CliWorkspace.create();
  await withClash(ws);
  const r = await ws.vc("lock", "--check");
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stderr, "vc: warning: /x: /x/y.csv lies below /x (both in the manifest)");
});
