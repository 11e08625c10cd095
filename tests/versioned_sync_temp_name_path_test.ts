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
