// A directory store on Windows: a key whose segment is no Windows file name
// must be refused like `..`, not written somewhere else (`a.csv:x` is an
// alternate data stream of `a.csv`, `nul` the null device, where a put
// "succeeds" and nothing is kept; `a.` the file `a`). `vc serve --store
// file://…` takes keys from its clients. Run on Linux with vc's platform
// switch: this proves the check, not Windows' own name rules.
import { assertEquals, assertRejects } from "./assert.ts";
import { FsStore } from "../src/store/fs.ts";
import { InvalidInputError } from "../src/errors.ts";
import { withFsPlatform } from "../src/fs_platform.ts";

const REFUSED = ["a.csv:x", "d/nul", "CON.txt", "d/conout$/x", "trailing.", "d/a ", "q?.csv"];

Deno.test("FsStore (Windows logic): keys Windows cannot name are refused by every call", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-win-fs-" });
  try {
    const store = new FsStore(dir);
    await withFsPlatform({ windowsNames: true }, async () => {
      for (const key of REFUSED) {
        await assertRejects(() => store.put(key, new Uint8Array([1])), InvalidInputError, key);
        await assertRejects(() => store.head(key), InvalidInputError, key);
        await assertRejects(() => store.delete([key]), InvalidInputError, key);
      }
      await store.put("d/ok.csv", new Uint8Array([1]));
    });
    // Nothing was written for a refused key; elsewhere the names are legal.
    assertEquals(await Array.fromAsync(store.list(""), (o) => o.key), ["d/ok.csv"]);
    await store.put("a.csv:x", new Uint8Array([2]));
    assertEquals((await store.head("a.csv:x"))?.size, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
