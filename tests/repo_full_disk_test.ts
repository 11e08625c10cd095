/**
 * A repository whose SQLite catalog's disk is full: an add is refused as
 * such (naming the catalog's directory and that its disk is full, not an
 * internal error), the content it uploaded is deleted (SQLite rolled the
 * transaction back: nothing records it), opening the catalog says the same,
 * and once space is back the next add works with no cleanup. And a put to
 * an FsStore on a full disk leaves no temp file (its lock's) behind. Needs
 * a small filesystem to fill: a tmpfs mount (root on Linux); ignored
 * elsewhere.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { FsStore } from "../src/store/fs.ts";
import { canMount, fillDisk, tmpfsScratch } from "./mounts.ts";
import { filesUnder } from "./files_under.ts";

async function withTmpfs(size: string, fn: (mnt: string, dir: string) => Promise<void>) {
  await using scratch = await tmpfsScratch("vc-full-repo-", { options: `size=${size}` });
  await fn(scratch.mnt, scratch.dir);
}

const manyTags = Array.from({ length: 2000 }, (_, i) => `tag-${i}-${"x".repeat(100)}`);

Deno.test({
  name:
    "repo: an add on a full catalog disk says so, keeps no orphan, and works once space is back (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: () =>
    withTmpfs("1m", async (mnt, dir) => {
      const uri = pathToFileURL(join(dir, "repo")).href;
      const catalog = `sqlite:${join(mnt, "c.sqlite")}`;
      const filler = join(mnt, "filler");
      const first = await Repository.init(uri, { catalog });
      await first.add("/a.txt", new TextEncoder().encode("a"));
      await first.close();
      const before = filesUnder(join(dir, "repo"), { relative: true });
      // Opened on a full disk, it cannot even be read (no room for its WAL index).
      await fillDisk(filler);
      const open = await assertRejects(() => Repository.open(uri), CatalogUnavailableError);
      assert(open.message.includes(`no space left on the device of ${mnt}`), open.message);
      await Deno.remove(filler);
      // Open, then the disk fills: the add is refused, its content deleted.
      const repo = await Repository.open(uri);
      try {
        await fillDisk(filler);
        const e = await assertRejects(
          // Tags enough to need pages the catalog's files do not have yet.
          () => repo.add("/b.txt", new TextEncoder().encode("b"), { tags: manyTags }),
          CatalogUnavailableError,
        );
        assert(e.message.includes(`no space left on the device of ${mnt}`), e.message);
        assertEquals(filesUnder(join(dir, "repo"), { relative: true }), before);
      } finally {
        await repo.close();
      }
      await Deno.remove(filler);
      const again = await Repository.open(uri);
      try {
        const b = await again.add("/b.txt", new TextEncoder().encode("b"), { tags: manyTags });
        assertEquals(b.path, "/b.txt");
      } finally {
        await again.close();
      }
    }),
});

Deno.test({
  name:
    "FsStore: a put on a full disk leaves no temp file behind (ignored where tmpfs cannot be mounted: not root)",
  ignore: !canMount,
  fn: () =>
    withTmpfs("256k", async (mnt) => {
      const root = join(mnt, "store");
      const store = new FsStore(root);
      try {
        await store.put("a/old.bin", new Uint8Array(10));
        const before = filesUnder(root, { relative: true });
        const filler = join(mnt, "filler");
        await fillDisk(filler);
        // Room for the data, not for its lock's temp file.
        await Deno.truncate(filler, (await Deno.stat(filler)).size - 12288);
        await assertRejects(() => store.put("a/b.bin", new Uint8Array(10_000)));
        assertEquals(filesUnder(root, { relative: true }), before);
        await Deno.remove(filler);
        await store.put("a/b.bin", new Uint8Array(10_000));
        assertEquals(filesUnder(root, { relative: true }).filter((f) => f.includes("vc-tmp")), []);
      } finally {
        await store.close();
      }
    }),
});
