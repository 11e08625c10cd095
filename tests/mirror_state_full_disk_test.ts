/**
 * A mirror whose state file is on a full disk (by default it is in the cache
 * dir, often the disk the mirror fills). SQLite cannot make the state's WAL
 * index there, even to read it, and says only `disk I/O error`: the run
 * stopped with `mirror state file … cannot be used (disk I/O error); remove
 * it (the next run rebuilds it by hashing the files again)`, blaming a sound
 * file and advising away the hashes it keeps, while removing it would not let
 * the next run open one either. It now says that the disk is full, naming its
 * directory, and the state file is kept for the run after space is made.
 * Needs a small file system to fill: a tmpfs mount (root on Linux); ignored
 * elsewhere.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { mirror } from "../src/mirror/mod.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { canMount, fillDisk, tmpfsScratch } from "./mounts.ts";

Deno.test({
  name: "mirror: a state file on a full disk is said to be on a full disk, not advised away " +
    "(ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  async fn() {
    await using scratch = await tmpfsScratch("vc-mirror-state-full-disk-", {
      options: "size=512k",
    });
    const source = join(scratch.dir, "src");
    await Deno.mkdir(source);
    await Deno.writeTextFile(join(source, "a.txt"), "a");
    const options = {
      sources: [source],
      target: pathToFileURL(join(scratch.dir, "bucket")).href,
      statePath: join(scratch.mnt, "state.sqlite"),
    };
    assertEquals((await mirror(options)).transferred, 1);

    const filler = join(scratch.mnt, "filler");
    await fillDisk(filler);
    const e = await assertRejects(() => mirror(options));
    assertStringIncludes(e.message, `mirror state file ${options.statePath}`);
    assertStringIncludes(e.message, `no space left on the device of ${scratch.mnt}`);
    assertStringIncludes(e.message, "make room on its disk");
    assert(!e.message.includes("remove it"), e.message); // was: disk I/O error; remove it

    assert((await Deno.stat(options.statePath)).isFile); // kept, with its hashes
    await Deno.remove(filler);
    const again = await mirror(options);
    assertEquals([again.transferred, again.unchanged], [0, 1]);
  },
});
