/**
 * A store → local mirror refuses a key whose name has the exact form of
 * vc's temp files (`.<name>.vc-tmp-0-shared`): written, it would be taken
 * for a download's leftover. Where names fold (macOS, Windows, a vfat or
 * SMB mount on Linux) the form is matched as that file system matches
 * names: `.big.bin.VC-TMP-0-SHARED` (or with the long s, `ſhared`) is the
 * file `.big.bin.vc-tmp-0-shared` there, the locked shared temp file a
 * large download of `big.bin` writes into and renames away. Run on Linux
 * with the target's name probe answering as such a file system does
 * (`withCaseInsensitiveFs`): this proves vc's check, not the file system.
 */
import { withCaseInsensitiveFs } from "./case_insensitive_fs.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { unsafeLocalKey } from "../src/mirror/keys.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { fakeBackend, prefixToLocal, tempDir, treeContents } from "./mirror_helpers.ts";

const enc = new TextEncoder();
const TWINS = [
  ".big.bin.VC-TMP-0-SHARED",
  "d/.x.csv.Vc-Tmp-0-resume",
  ".y.bin.vc-tmp-0-\u017fhared",
];

Deno.test("unsafeLocalKey: a temp-file name in another letter case is refused where names fold", () => {
  for (const key of TWINS) {
    assertStringIncludes(unsafeLocalKey(key, "linux", true) ?? "", "vc's temp files");
    assertEquals(unsafeLocalKey(key, "linux", false), undefined);
  }
  // A name that only contains the mark stays an ordinary file.
  assertEquals(unsafeLocalKey(".notes.VC-TMP-1-draft", "linux", true), undefined);
});

Deno.test("mirror (store → local, names fold): a key that is another key's temp file is reported, not written", async () => {
  await withCaseInsensitiveFs(async () => {
    await using b = await fakeBackend();
    await using w = await tempDir();
    await b.store.put("p/big.bin", enc.encode("big"));
    for (const key of TWINS) await b.store.put(`p/${key}`, enc.encode("twin"));
    const r = await mirror(prefixToLocal(b.store, w.dir, { delete: true }));
    assertEquals(r.failed.map((f) => f.key).sort(), [...TWINS].sort());
    for (const f of r.failed) assertStringIncludes(f.error, "vc's temp files");
    assertEquals(await treeContents(`${w.dir}/out`), { "big.bin": "big" });
  });
});

Deno.test("mirror (store → local, case-sensitive): such keys are ordinary files", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  for (const key of TWINS) await b.store.put(`p/${key}`, enc.encode("twin"));
  const r = await mirror(prefixToLocal(b.store, w.dir));
  assertEquals(r.failed, []);
  assertEquals(Object.keys(await treeContents(`${w.dir}/out`)).sort(), [...TWINS].sort());
});
