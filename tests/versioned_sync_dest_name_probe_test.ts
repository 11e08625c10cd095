/**
 * `vc sync DEST` decides whether two manifest paths are one file by asking
 * DEST's own file system (the probe of `src/name_probe.ts`), not the OS:
 * on Linux, a DEST on a case-insensitive mount (WSL's `/mnt/c`, an SMB
 * share, a FAT stick; simulated by the probe's seam) had `/Data.csv` and
 * `/data.csv` both copied, in turns, into one file, both reported copied;
 * on macOS or Windows a case-sensitive DEST refused the second for no
 * reason.
 */
import { withFsPlatform } from "../src/fs_platform.ts";
import { withNameProbe } from "../src/name_probe.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { foldingLstat } from "./case_insensitive_fs.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { syncedContents } from "./versioned_helpers.ts";

async function added(ws: CliWorkspace, entries: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(entries)) {
    const file = await ws.write(`src${path}.txt`, text);
    const r = await ws.vc("add", path, file);
    assertEquals(r.code, 0, r.stderr);
  }
}

Deno.test("vc sync: case twins fail on a DEST whose file system folds names, though the OS default does not", async () => {
  await using ws = await CliWorkspace.create();
  await added(ws, { "/Data.csv": "upper\n", "/data.csv": "lower\n", "/ok.csv": "ok\n" });
  await withFsPlatform({ caseInsensitive: false }, async () => {
    await withNameProbe({ lstat: foldingLstat }, async () => {
      const r = await ws.vc("sync", "out", "--json");
      assertEquals(r.code, 1, r.stderr);
      const report = JSON.parse(r.stdout);
      assertEquals(report.failed.map((f: { path: string }) => f.path), ["/data.csv"]);
      assertStringIncludes(report.failed[0].error, '"/Data.csv" is the same file here');
      assertEquals(await syncedContents(ws.path("out")), {
        "Data.csv": "upper\n",
        "ok.csv": "ok\n",
      });
    });
  });
});

Deno.test({
  name:
    "vc sync: case twins are both copied to a DEST that tells case apart, though the OS default folds",
  // The probe asks the real temp directory, case-sensitive on Linux (macOS's and Windows's fold).
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await using ws = await CliWorkspace.create();
    await added(ws, { "/Data.csv": "upper\n", "/data.csv": "lower\n" });
    await withFsPlatform({ caseInsensitive: true }, async () => {
      await withNameProbe({ lstat: (p) => Deno.lstatSync(p) }, async () => {
        const r = await ws.vc("sync", "out");
        assertEquals(r.code, 0, r.stderr);
        assertEquals(await syncedContents(ws.path("out")), {
          "Data.csv": "upper\n",
          "data.csv": "lower\n",
        });
      });
    });
  },
});
