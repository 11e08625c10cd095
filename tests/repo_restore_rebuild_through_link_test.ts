/**
 * `vc repo restore SNAPSHOT --force` of a damaged SQLite catalog whose path
 * is a symbolic link (`/srv/vc/cat.sqlite -> /data/vc/cat.sqlite`, a
 * catalog moved to a larger disk). The rebuild built its new catalog beside
 * the link and renamed it over the link: the link became a regular file on
 * the link's disk, the damaged file it led to stayed where it was (and every
 * process naming the real path still found it damaged), and the file "set
 * aside" as `.damaged-<ms>` was a hard link of the symbolic link, not the
 * damaged catalog. Its lock (`CATALOG.rebuild-lock`) was keyed by the
 * spelling too: a restore naming the link and one naming the file it leads to
 * took two locks and rebuilt the one catalog at once. Now the rebuild
 * resolves the link first: it locks, builds and replaces the file the link
 * leads to, and the link stays a link.
 *
 * The other restore is played by this test holding the lock, as its
 * process would (a `flock` of another open file: no timing).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";

/** A repository whose catalog is reached through a link, its snapshot, its catalog damaged. */
async function withLinkedDamagedCatalog(
  fn: (t: { dir: string; uri: string; link: string; real: string; snapshot: string }) => Promise<
    void
  >,
): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_restore_rebuild_link_" }));
  const uri = pathToFileURL(join(dir, "repo")).href;
  const real = join(dir, "data", "cat.sqlite");
  const link = join(dir, "cat.sqlite");
  try {
    await Deno.mkdir(join(dir, "data"));
    await Deno.symlink(real, link);
    const repo = await Repository.init(uri, { catalog: `sqlite:${link}` });
    for (const name of ["a", "b"]) {
      await repo.publish((await repo.add(`/${name}.txt`, new TextEncoder().encode(name))).id);
    }
    const { uri: snapshot } = await repo.backup();
    await repo.close();
    await Deno.writeTextFile(real, "not a database ".repeat(600));
    await fn({ dir, uri, link, real, snapshot });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repo restore --force of a catalog reached through a link rebuilds the file it leads to, keeping the link", async () => {
  await withLinkedDamagedCatalog(async ({ dir, uri, link, real, snapshot }) => {
    const report = await Repository.restore(uri, snapshot, {
      force: true,
      onConnectWait: () => {},
    });
    assertEquals(report.records, 2);
    assert((await Deno.lstat(link)).isSymlink, "the catalog's link was replaced by a file");
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.path), ["/a.txt", "/b.txt"]);
    // The damaged catalog itself is kept beside the file it was, not a link to it.
    const aside = [...Deno.readDirSync(join(dir, "data"))].filter((e) =>
      e.name.startsWith("cat.sqlite.damaged-")
    );
    assertEquals(aside.length, 1);
    assert(aside[0]!.isFile, "the damaged catalog was not set aside");
    assertEquals(
      await Deno.readTextFile(join(dir, "data", aside[0]!.name)),
      "not a database ".repeat(600),
    );
    assertEquals(
      [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.startsWith("cat.sqlite.")),
      [],
    );
    assert((await Deno.stat(real)).isFile);
  });
});

Deno.test("repo restore --force through a link waits for a rebuild of the file it leads to", async () => {
  await withLinkedDamagedCatalog(async ({ uri, link, real, snapshot }) => {
    // Another restore, naming the catalog by its real path, is rebuilding it.
    const lock = await Deno.open(`${real}.rebuild-lock`, { create: true, write: true });
    let held = true;
    try {
      await lock.lock(true);
      let said!: (line: string) => void;
      const waiting = new Promise<string>((resolve) => said = resolve);
      const restore = Repository.restore(uri, snapshot, {
        force: true,
        onConnectWait: (line) => said(line),
      });
      const first = await Promise.race([
        waiting,
        restore.then(() => undefined, () => undefined),
      ]);
      assert(first !== undefined, "the restore rebuilt without waiting for the other");
      assert(first.includes("waiting for another restore"), first);
      assert(first.includes(link), first);
      lock.close();
      held = false;
      assertEquals((await restore).records, 2);
    } finally {
      if (held) lock.close();
    }
    assert((await Deno.lstat(link)).isSymlink, "the catalog's link was replaced by a file");
  });
});
