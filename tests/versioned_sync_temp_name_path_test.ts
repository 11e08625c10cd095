/**
 * `vc sync DEST` of a manifest path whose file name has the form of vc's
 * temp files (`/.a.csv.vc-tmp-99999-abcdefgh`, a local override pinned by a
 * hand edit): such a file beside `a.csv` is what a killed copy of `a.csv`
 * leaves, and the next copy of `a.csv` into DEST (this sync's or a later
 * one's) removed it as a dead writer's, after the sync had reported it
 * copied. Refused before anything is copied, as a store → local `vc mirror`
 * refuses such a key.
 */
import { assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { foldingLstat } from "./case_insensitive_fs.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { withNameProbe } from "../src/name_probe.ts";

const TEMP_FORM = "/.a.csv.vc-tmp-99999-abcdefgh";

Deno.test("sync: a manifest path named as vc's temp files is refused before anything is copied", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("one.csv", "one\n");
  await ws.write("two.csv", "two\n");
  await ws.write(
    "versioned_assets.json",
    JSON.stringify({ [TEMP_FORM]: "./two.csv", "/a.csv": "./one.csv" }),
  );
  const r = await ws.run(["sync", "out", "--bucket", `file://${ws.path("bucket")}`]);
  assertFailure(
    r,
    1,
    `sync to ${ws.path("out")} copied nothing`,
    `manifest path "${TEMP_FORM}" cannot be a file here: its name has the form of vc's temp files`,
  );
  assertEquals(await Deno.lstat(ws.path("out")).catch(() => undefined), undefined);
});

// Whether `.A.CSV.VC-TMP-…` is `.a.csv.vc-tmp-…` is asked of DEST's own file
// system, as a store → local mirror asks its target's and sync asks for case
// twins: not the OS default (a case-sensitive volume on macOS, a
// case-insensitive mount on Linux).
const TEMP_FORM_UPPER = "/.A.CSV.VC-TMP-99999-ABCDEFGH";

Deno.test("sync: a manifest path named as vc's temp files in another letter case is refused on a DEST whose names fold, though the OS default does not", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("one.csv", "one\n");
  await ws.write("versioned_assets.json", JSON.stringify({ [TEMP_FORM_UPPER]: "./one.csv" }));
  await withFsPlatform({ caseInsensitive: false }, async () => {
    await withNameProbe({ lstat: foldingLstat }, async () => {
      const r = await ws.run(["sync", "out", "--bucket", `file://${ws.path("bucket")}`]);
      assertFailure(
        r,
        1,
        `manifest path "${TEMP_FORM_UPPER}" cannot be a file here: its name has the form of vc's temp files`,
      );
    });
  });
});

Deno.test({
  name:
    "sync: a manifest path named as vc's temp files in another letter case is copied to a DEST that tells case apart, though the OS default folds",
  // The probe asks the real temp directory, case-sensitive on Linux (macOS's and Windows's fold).
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await using ws = await CliWorkspace.create();
    await ws.write("one.csv", "one\n");
    await ws.write("versioned_assets.json", JSON.stringify({ [TEMP_FORM_UPPER]: "./one.csv" }));
    await withFsPlatform({ caseInsensitive: true }, async () => {
      await withNameProbe({ lstat: (p) => Deno.lstatSync(p) }, async () => {
        const r = await ws.run(["sync", "out", "--bucket", `file://${ws.path("bucket")}`]);
        assertEquals(r.code, 0, r.stderr);
        assertEquals(await Deno.readTextFile(ws.path(`out${TEMP_FORM_UPPER}`)), "one\n");
      });
    });
  },
});
