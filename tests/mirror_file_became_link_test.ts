/**
 * A source file that a symbolic link took the place of between the walk and
 * its read (a tool replacing files with links, another user of a shared
 * tree) is not read through the link unless links are followed: the mirror
 * would upload, under the file's key, whatever the link leads to (outside
 * the tree too). It is refused, named, as a FIFO taking a file's place is.
 */
import { join } from "node:path";
import { hashLocal } from "../src/mirror/compare.ts";
import { statLocal } from "../src/mirror/local_side.ts";
import { md5Hex } from "../src/hash.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

Deno.test({
  name: "mirror: a file a symbolic link replaced since the walk is not read through it",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using w = await tempDir();
    const file = join(w.dir, "a.txt");
    const outside = join(w.dir, "secret");
    await Deno.writeTextFile(file, "aaaa");
    await Deno.writeTextFile(outside, "SECR"); // the same size: the size check passes
    const entry = (await statLocal(file, "a.txt", "skip"))!;
    await Deno.remove(file);
    await Deno.symlink(outside, file);
    await assertRejects(
      () => hashLocal(entry, undefined, false, 0, undefined, "skip"),
      Error,
      `${file} is no longer a regular file (a symbolic link took its place since it was listed)`,
    );
    // Followed links are read through, as the walk listed them.
    const followed = await hashLocal(entry, undefined, false, 0, undefined, "follow");
    assertEquals(followed.md5, md5Hex(new TextEncoder().encode("SECR")));
  },
});
