/**
 * `vc sync DEST` with manifest paths that cannot all be files in one
 * directory: `/x` beside `/x/y.csv` (the file `/x` would have to be a
 * directory too), and, where the file system does not tell letter case or
 * Unicode form apart (as DEST's file system answers; run on Linux with
 * `withCaseInsensitiveFs`), `/A.csv` beside `/a.csv`. Such entries used
 * to be copied in parallel: which one failed changed from run to run, with a
 * "remove it" hint for a file vc had just written itself, and case twins both
 * reported copied while one file held the other's bytes. Now the entry that
 * gives way fails, named with the entry it clashes with, every run alike,
 * and is not downloaded; the rest is copied.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { withCaseInsensitiveFs } from "./case_insensitive_fs.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { syncedContents } from "./versioned_helpers.ts";

async function added(ws: CliWorkspace, entries: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(entries)) {
    const file = await ws.write(`src${path}.txt`, text);
    const r = await ws.vc("add", path, file);
    assertEquals(r.code, 0, r.stderr);
  }
}

Deno.test("vc sync: a manifest path that another needs as its directory fails, the same one every run", async () => {
  await using ws = await CliWorkspace.create();
  await added(ws, { "/x0": "x\n", "/x/y.csv": "y\n", "/x/z.csv": "z\n", "/w.csv": "w\n" });
  // `vc add` refuses `/x` beside `/x/y.csv`; a hand-edited manifest may hold both.
  await Deno.copyFile(ws.path("bucket/x0.1.0.0"), ws.path("bucket/x.1.0.0"));
  const { "/x0": _, ...manifest } = JSON.parse(await ws.read("versioned_assets.json"));
  await Deno.writeTextFile(
    ws.path("versioned_assets.json"),
    JSON.stringify({ ...manifest, "/x": "1.0.0" }),
  );
  for (let run = 0; run < 3; run++) {
    await Deno.remove(ws.path("out"), { recursive: true }).catch(() => {});
    const r = await ws.vc("sync", "out", "--json");
    assertEquals(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assertEquals(report.failed.map((f: { path: string }) => f.path), ["/x"]);
    assertStringIncludes(report.failed[0].error, '"/x/y.csv" needs it to be a directory');
    assertEquals(await syncedContents(ws.path("out")), {
      "w.csv": "w\n",
      "x/y.csv": "y\n",
      "x/z.csv": "z\n",
    });
  }
});

Deno.test("vc sync (case-insensitive logic): entries that are one file there are not written in turns", async () => {
  await using ws = await CliWorkspace.create();
  const nfc = "/caf\u00e9.csv", nfd = "/cafe\u0301.csv";
  await added(ws, { "/Data/A.csv": "upper\n", "/data/a.csv": "lower\n", "/ok.csv": "ok\n" });
  // `vc add` refuses a Unicode twin of an entry; a hand-edited manifest may hold both.
  await added(ws, { [nfc]: "nfc\n" });
  await Deno.copyFile(
    ws.path(`bucket/caf\u00e9.1.0.0.csv`),
    ws.path(`bucket/cafe\u0301.1.0.0.csv`),
  );
  const manifest = JSON.parse(await ws.read("versioned_assets.json"));
  await Deno.writeTextFile(
    ws.path("versioned_assets.json"),
    JSON.stringify({ ...manifest, [nfd]: "1.0.0" }),
  );
  await withCaseInsensitiveFs(async () => {
    const r = await ws.vc("sync", "out", "--json");
    assertEquals(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    // The first in UTF-8 order is written: `D` before `d`, `e` + U+0301 before `é`.
    assertEquals(report.failed.map((f: { path: string }) => f.path).sort(), [nfc, "/data/a.csv"]);
    for (const f of report.failed) assertStringIncludes(f.error, "letter case or Unicode form");
    assertEquals(await syncedContents(ws.path("out")), {
      "Data/A.csv": "upper\n",
      [nfd.slice(1)]: "nfc\n",
      "ok.csv": "ok\n",
    });
  });
  // Where names keep their case and form (a case-sensitive DEST), every
  // entry is its own file: tests/versioned_sync_dest_name_probe_test.ts.
});
