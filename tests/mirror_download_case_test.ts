/**
 * Store → local mirrors on case-insensitive file systems (macOS, Windows),
 * run on Linux by switching `fsPlatform.caseInsensitive`: this proves vc's
 * logic, not how such a file system folds names. Keys that name one file
 * there are never written in turns, and a local file the store has under
 * another letter case (or Unicode form) is the key's file, never deleted.
 */
import { join } from "node:path";
import { withFsPlatform } from "../src/fs_platform.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { fakeBackend, prefixToLocal, tempDir, treeContents, writeTree } from "./mirror_helpers.ts";

const enc = new TextEncoder();

Deno.test("mirror (store → local, case-insensitive): keys that fold together are reported, one written", async () => {
  await withFsPlatform({ caseInsensitive: true }, async () => {
    await using b = await fakeBackend();
    await using w = await tempDir();
    await b.store.put("p/Case.txt", enc.encode("upper"));
    await b.store.put("p/case.txt", enc.encode("lower"));
    await b.store.put("p/caf\u00e9", enc.encode("nfc"));
    await b.store.put("p/cafe\u0301", enc.encode("nfd"));
    await b.store.put("p/ok.txt", enc.encode("ok"));
    const opts = prefixToLocal(b.store, w.dir, { delete: true });
    const out = opts.target;
    const r = await mirror(opts);
    assertEquals(r.transferred, 3);
    // The first in key order (UTF-8 bytes) is written: `e` + U+0301 sorts before `é`.
    assertEquals(r.failed.map((f) => f.key).sort(), ["caf\u00e9", "case.txt"].sort());
    for (const f of r.failed) assertStringIncludes(f.error, "letter case");
    assertEquals(await treeContents(out), {
      "Case.txt": "upper",
      "cafe\u0301": "nfd",
      "ok.txt": "ok",
    });
    b.fake!.resetStats();
    const again = await mirror(opts);
    assertEquals([again.transferred, again.deleted, again.failed.length], [0, 0, 2]);
    assertEquals(b.fake!.stats.GetObject, 0);
  });
});

Deno.test("mirror (store → local, case-insensitive): --delete spares the file of a key in another case", async () => {
  await withFsPlatform({ caseInsensitive: true }, async () => {
    await using b = await fakeBackend();
    await using w = await tempDir();
    await b.store.put("p/photos/y.jpg", enc.encode("y"));
    await b.store.put("p/Report.csv", enc.encode("r"));
    const out = join(w.dir, "out");
    // There, `Photos/y.jpg` and `report.CSV` are the files the keys name.
    await writeTree(out, { "Photos/y.jpg": "y", "report.CSV": "r", "gone.txt": "g" });
    const r = await mirror(prefixToLocal(b.store, w.dir, { delete: true }));
    assertEquals(r.failed, []);
    assertEquals(r.deleted, 1);
    const tree = await treeContents(out);
    assertEquals(tree["Photos/y.jpg"], "y");
    assertEquals(tree["report.CSV"], "r");
    assertEquals(tree["gone.txt"], undefined);
  });
});
