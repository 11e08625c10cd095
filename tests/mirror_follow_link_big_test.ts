/**
 * `--follow-symlinks`: a file reached through a link and read in parts (past
 * 1 MiB) is uploaded without a failure. The check that it did not change
 * while it went up looked at the link itself (not followed), found no file,
 * and failed every such upload as "changed while it was uploaded" (exit 1).
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

Deno.test("mirror --follow-symlinks uploads a large file reached through a link", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await Deno.mkdir(src);
  const bytes = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
  await Deno.writeFile(join(w.dir, "big.bin"), bytes);
  await Deno.symlink("../big.bin", join(src, "big.bin"));
  const store = new FsStore(join(w.dir, "store"));
  const opts = {
    sources: [src],
    target: store,
    statePath: join(w.dir, "s.db"),
    symlinks: "follow" as const,
  };
  const first = await mirror(opts);
  assertEquals(first.failed, []);
  assertEquals(first.transferred, 1);
  assertEquals(await Deno.readFile(join(w.dir, "store/big.bin")), bytes);
  const second = await mirror(opts);
  assertEquals([second.transferred, second.unchanged, second.failed.length], [0, 1, 0]);
});
