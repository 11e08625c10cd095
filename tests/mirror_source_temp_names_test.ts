/**
 * A source file named like vc's temp files (`.<name>.vc-tmp-<pid>-<random>`)
 * is the user's file in a local → store mirror: uploaded like any other (as
 * `aws s3 sync` does, and as a `--watch` event uploads it), and its object is
 * never deleted by `--delete` while the file is there. Only a store → local
 * target's temp files are vc's own downloads, left out of its walk.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { assertEquals } from "./assert.ts";
import { BACKENDS, storeContents, tempDir, writeTree } from "./mirror_helpers.ts";

const enc = new TextEncoder();

for (const walkThread of [false, true]) {
  Deno.test(`mirror local → store uploads a source file named like vc's temp files, never deletes its object (walk thread ${walkThread})`, async () => {
    await using b = await BACKENDS[0]!.make();
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, {
      "a.txt": "a",
      "d/.b.txt.vc-tmp-123-abcdefgh": "the user's own file",
      ".c.vc-tmp-1-shared": "another",
    });
    // An earlier `aws s3 sync` of the same tree put one of them there already.
    await b.store.put("p/.c.vc-tmp-1-shared", enc.encode("another"));
    const run = () =>
      mirror({
        sources: [src],
        target: b.store,
        targetPrefix: "p",
        delete: true,
        statePath: join(w.dir, "s.db"),
        walkThread,
      });
    const first = await run();
    assertEquals(first.failed, []);
    assertEquals(first.deletedKeys, []);
    assertEquals(await storeContents(b.store, "p/"), {
      "p/.c.vc-tmp-1-shared": "another",
      "p/a.txt": "a",
      "p/d/.b.txt.vc-tmp-123-abcdefgh": "the user's own file",
    });
    const second = await run();
    assertEquals([second.transferred, second.deleted, second.unchanged], [0, 0, 3]);
  });
}
