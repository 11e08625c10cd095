import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

// A symbolic link or a FIFO at a version's name in a directory bucket is no
// object (`vc versions` does not list it), yet a create-only write called it
// "published by someone else meanwhile ...; run update again": `--patch`
// chose that same version on every run, so the hint never got anywhere.
Deno.test("update: a link or FIFO at the next version's name in a directory bucket is named, not 'published meanwhile'", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "one");
  await ws.write("g.txt", "two");
  assertEquals((await ws.vc("add", "/x/a.txt", "f.txt")).code, 0);
  await Deno.symlink("a.1.0.0.txt", join(ws.bucketDir, "x/a.1.0.1.txt"));
  const fifo = new Deno.Command("mkfifo", { args: [join(ws.bucketDir, "x/a.1.1.0.txt")] });
  assertEquals((await fifo.output()).code, 0);
  const before = await ws.read("versioned_assets.json");
  for (
    const [flag, key, kind] of [
      ["--patch", "x/a.1.0.1.txt", "a symbolic link"],
      ["--minor", "x/a.1.1.0.txt", "a FIFO"],
    ]
  ) {
    for (let run = 0; run < 2; run++) {
      const r = await ws.vc("update", "/x/a.txt", "g.txt", flag!);
      assertFailure(r, 1, `${key} is ${kind}, not an object of the store`);
      assert(!r.stderr.includes("meanwhile"), r.stderr);
    }
  }
  assertEquals(await ws.read("versioned_assets.json"), before);
  assert((await Deno.lstat(join(ws.bucketDir, "x/a.1.0.1.txt"))).isSymlink);
  assertEquals(await Deno.readTextFile(join(ws.bucketDir, "x/a.1.0.0.txt")), "one");
  // Another version still publishes.
  assertEquals((await ws.vc("update", "/x/a.txt", "g.txt", "--major")).code, 0);
});
