/**
 * `vc sync DEST`: a directory of DEST swapped for a symbolic link while an
 * entry is copied into it (a checkout, an archive, another tool) is found by
 * the look made again just before the copy's rename, which would otherwise
 * put the file outside DEST. That look walks DEST's directories only (the
 * rename replaces a link at the file itself).
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { randomBytes, workspace } from "./versioned_helpers.ts";

const SIZE = 8 * 1024 * 1024;

Deno.test({
  name: "vc sync: a DEST directory swapped for a link during the copy is refused before the rename",
  // Making a symbolic link needs a privilege on Windows.
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await using ws = await workspace();
    const src = join(ws.dir, "big.bin");
    await Deno.writeFile(src, randomBytes(SIZE));
    await ws.vc.add("/d/big.bin", src);
    await ws.vc.path("/d/big.bin"); // cached: the copy out is all the sync does
    const out = join(ws.dir, "out");
    const outside = join(ws.dir, "outside");
    await Deno.mkdir(join(out, "d"), { recursive: true });
    let swapped = false;
    const report = await ws.vc.syncSettled(out, {
      onProgress: (p) => {
        if (swapped || p.step?.name !== "copying" || p.step.bytes === 0) return;
        // Its temp file is open in `out/d`: the directory moves outside DEST, a link in its place.
        Deno.renameSync(join(out, "d"), outside);
        Deno.symlinkSync(outside, join(out, "d"));
        swapped = true;
      },
    });
    assert(swapped, "no copying step was reported");
    assertEquals(report.copied, []);
    assertEquals(report.failed.map((f) => f.path), ["/d/big.bin"]);
    assertStringIncludes(String(report.failed[0]!.error), "is a symbolic link");
    assertEquals(
      [...Deno.readDirSync(outside)].map((e) => e.name),
      [],
      "nothing written outside DEST",
    );
  },
});
