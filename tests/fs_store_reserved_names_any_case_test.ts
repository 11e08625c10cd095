// A directory store's own files (`.vc~meta~<name>.json` sidecars,
// `.vc~lock~<name>` locks, `.<name>.vc-tmp-<pid>-<random>` temp files) are
// named in lower case. Where file names ignore letter case (macOS, Windows,
// an SMB share or a FAT stick on Linux), a key spelled `.VC~META~x.csv.json`
// is the sidecar of `x.csv` itself: its put would replace that object's
// ETag and metadata with its own bytes. Such keys are refused in any letter
// case on every platform, so a store written on Linux can move to a Mac.
import { assertEquals, assertRejects } from "./assert.ts";
import { FsStore } from "../src/store/fs.ts";
import { isValidSegment, keySegments } from "../src/store/fs_layout.ts";
import { InvalidInputError } from "../src/errors.ts";

const SPELLINGS = [
  ".VC~meta~x.csv.json",
  ".Vc~lock~x.csv",
  "d/.vC~tmp~old",
  ".x.csv.VC-TMP-12-ABCDEFGH",
  "d/.x.csv.Vc-Tmp-0-SHARED",
];

Deno.test("keySegments refuses vc's own file names in any letter case", () => {
  for (const key of SPELLINGS) {
    assertEquals(isValidSegment(key.slice(key.lastIndexOf("/") + 1)), false, key);
    let message = "";
    try {
      keySegments(key);
    } catch (e) {
      message = (e as Error).message;
    }
    assertEquals(message.includes(JSON.stringify(key)) && /reserved/.test(message), true, message);
  }
  // Names that only look alike stay keys.
  assertEquals(keySegments("d/.vcs~x").length, 2);
  assertEquals(keySegments("d/.x.csv.vc-tmp-notes").length, 2);
});

Deno.test("FsStore: a key spelling a sidecar in capitals leaves the object's sidecar alone", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-reserved-case-" });
  try {
    const store = new FsStore(dir);
    await store.put("x.csv", new TextEncoder().encode("data"), { metadata: { a: "1" } });
    for (const key of SPELLINGS) {
      await assertRejects(() => store.put(key, new Uint8Array([1])), InvalidInputError, "reserved");
    }
    assertEquals(await Array.fromAsync(store.list(""), (o) => o.key), ["x.csv"]);
    assertEquals((await store.head("x.csv"))?.metadata, { a: "1" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
