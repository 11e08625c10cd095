/**
 * Store → local mirrors on case-insensitive file systems (macOS, Windows),
 * run on Linux by switching the OS default and the target's name probe
 * (`withCaseInsensitiveFs`): this proves vc's
 * logic, not how such a file system folds names (making a real
 * case-insensitive one needs root: a casefold ext4 image and a mount). Keys
 * that name one file there are never written in turns, and a local file the
 * store has under another letter case (or Unicode form) is the key's file:
 * compared with it, written under its own name when it differs, never
 * deleted, and not downloaded again on the next pass.
 */
import { join } from "node:path";
import { withCaseInsensitiveFs } from "./case_insensitive_fs.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import {
  fakeBackend,
  prefixToLocal,
  settle,
  tempDir,
  treeContents,
  writeTree,
} from "./mirror_helpers.ts";

const enc = new TextEncoder();

Deno.test("mirror (store → local, case-insensitive): keys that fold together are reported, one written", async () => {
  await withCaseInsensitiveFs(async () => {
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
  await withCaseInsensitiveFs(async () => {
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

Deno.test("mirror (store → local, case-insensitive): a local file in another case is the key's file, not downloaded again", async () => {
  await withCaseInsensitiveFs(async () => {
    await using b = await fakeBackend();
    await using w = await tempDir();
    await b.store.put("p/Data/A.txt", enc.encode("same"));
    await b.store.put("p/Data/B.txt", enc.encode("new"));
    await b.store.put("p/Data/C.txt", enc.encode("c"));
    await b.store.put("p/caf\u00e9.txt", enc.encode("nfc"));
    const opts = prefixToLocal(b.store, w.dir);
    const out = opts.target;
    // There, `data/a.txt` is the file `Data/A.txt` names, and `cafe\u0301.txt` the one of `café.txt`.
    await writeTree(out, {
      "data/a.txt": "same",
      "data/b.txt": "old",
      "cafe\u0301.txt": "nfc",
      "extra.txt": "x",
    });
    await settle(); // hashes taken now are trusted next time
    const r = await mirror(opts);
    assertEquals(r.failed, []);
    // Only what differs is written, and where the file system has it: no second `Data/`.
    assertEquals([r.transferred, r.unchanged, r.extra], [2, 2, 1]);
    assertEquals(await treeContents(out), {
      "cafe\u0301.txt": "nfc",
      "data/C.txt": "c",
      "data/a.txt": "same",
      "data/b.txt": "new",
      "extra.txt": "x",
    });
    // The second pass transfers nothing and asks only for the listing. The
    // two files just written are hashed once more when their record was
    // taken within the racy window (as it is, unless the machine stalled
    // for seconds between the write and the record); the two files the
    // first pass found settled are not.
    await settle();
    b.fake!.resetStats();
    const again = await mirror(opts);
    assertEquals(again.failed, []);
    assertEquals([again.transferred, again.unchanged, again.extra], [0, 4, 1]);
    assert(again.hashed <= 2, `hashed ${again.hashed}: a settled file was read again`);
    assertEquals([b.fake!.stats.GetObject, b.fake!.stats.HeadObject], [0, 0]);
    // With --delete only the file no key names goes; nothing is read again.
    const pruned = await mirror({ ...opts, delete: true });
    assertEquals(pruned.failed, []);
    assertEquals([pruned.transferred, pruned.hashed, pruned.deleted, pruned.extra], [0, 0, 1, 0]);
    assertEquals([b.fake!.stats.GetObject, b.fake!.stats.HeadObject], [0, 0]);
    assertEquals((await treeContents(out))["extra.txt"], undefined);
    assertEquals(Object.keys(await treeContents(out)).length, 4);
  });
});

Deno.test("mirror (store → local, case-insensitive): a key in another case than the written one is a conflict, never written over it", async () => {
  await withCaseInsensitiveFs(async () => {
    await using b = await fakeBackend();
    await using w = await tempDir();
    await b.store.put("p/Data/A.txt", enc.encode("first"));
    await b.store.put("p/data/a.txt", enc.encode("other"));
    const opts = prefixToLocal(b.store, w.dir, { delete: true });
    const out = opts.target;
    await writeTree(out, { "DATA/a.TXT": "stale" });
    const r = await mirror(opts);
    // The first key in order is the file's; the other one is reported, not written.
    assertEquals(r.failed.map((f) => f.key), ["data/a.txt"]);
    assertStringIncludes(r.failed[0]!.error, "letter case");
    assertStringIncludes(r.failed[0]!.error, '"Data/A.txt"');
    assertEquals([r.transferred, r.deleted], [1, 0]);
    assertEquals(await treeContents(out), { "DATA/a.TXT": "first" });
    b.fake!.resetStats();
    const again = await mirror(opts);
    assertEquals([again.transferred, again.deleted, again.failed.length], [0, 0, 1]);
    assertEquals(b.fake!.stats.GetObject, 0);
    assertEquals(await treeContents(out), { "DATA/a.TXT": "first" });
  });
});

Deno.test("mirror (store → local, case-insensitive): --max-delete counts only what is deleted, not the files of keys in another case", async () => {
  await withCaseInsensitiveFs(async () => {
    await using b = await fakeBackend();
    await using w = await tempDir();
    await b.store.put("p/Data/A.txt", enc.encode("a"));
    await b.store.put("p/Data/B.txt", enc.encode("b"));
    await b.store.put("p/photos/y.jpg", enc.encode("y"));
    await b.store.put("p/Report.csv", enc.encode("r"));
    const opts = prefixToLocal(b.store, w.dir, { delete: true, maxDelete: 1 });
    const out = opts.target;
    // Four files the keys name in another case (listed before and after
    // their keys), one no key names: one delete, within the limit of 1.
    const kept = {
      "Photos/y.jpg": "y",
      "data/a.txt": "a",
      "data/b.txt": "b",
      "report.CSV": "r",
    };
    await writeTree(out, { ...kept, "gone.txt": "g" });
    const r = await mirror(opts);
    assertEquals(r.failed, []);
    assertEquals(r.deletesSkipped, undefined);
    assertEquals([r.transferred, r.unchanged, r.deleted, r.extra], [0, 4, 1, 0]);
    assertEquals(await treeContents(out), kept);
    // With none to delete at all and a limit of 0, the pass is not refused either.
    const none = await mirror({ ...opts, maxDelete: 0 });
    assertEquals(none.failed, []);
    assertEquals(none.deletesSkipped, undefined);
    assertEquals([none.deleted, none.extra], [0, 0]);
    assertEquals(await treeContents(out), kept);
    // Two files no key names, more than the limit of 1: refused, nothing
    // deleted, and only those two are counted (and reported as extra).
    await writeTree(out, { "gone1.txt": "g", "gone2.txt": "g" });
    const over = await mirror(opts);
    assertEquals(over.failed, []);
    assertStringIncludes(over.deletesSkipped ?? "", "2 target entries have no source");
    assertStringIncludes(over.deletesSkipped ?? "", "nothing was deleted");
    assertEquals([over.deleted, over.extra], [0, 2]);
    assertEquals(await treeContents(out), { ...kept, "gone1.txt": "g", "gone2.txt": "g" });
    // Raised to 2, they go; the files of the keys stay.
    const raised = await mirror({ ...opts, maxDelete: 2 });
    assertEquals(raised.failed, []);
    assertEquals(raised.deletesSkipped, undefined);
    assertEquals(raised.deleted, 2);
    assertEquals(await treeContents(out), kept);
  });
});
