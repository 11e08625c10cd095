/**
 * Two `vc repo restore SNAPSHOT --force` of one damaged SQLite catalog at
 * once (two operators following the damaged catalog's message, a retried
 * job). Each built its new catalog at the one `CATALOG.rebuilding` path,
 * removing whatever was there first: the second removed the first's build
 * in progress, and both failed (`….rebuilding was removed since this
 * process opened it`), or the first, done, moved the second's half-built
 * file (no tables yet, or no rows) into the catalog's place and reported
 * `restored 3 records` over an empty catalog, whose gc takes all content
 * for unreferenced (seen in a loop of two CLI restores: its content check
 * said `no such table: records`). Now a rebuild holds a lock
 * (`CATALOG.rebuild-lock`) while it builds and replaces the catalog: the
 * other waits, saying so, and then restores into the catalog the first
 * rebuilt, as any forced restore does, rather than set it aside as damaged.
 *
 * The other restore is played by this test holding the lock, as its
 * process would (a `flock` of another open file: no timing).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";

/** A repository of three published files, its snapshot, and its damaged catalog. */
async function withDamagedCatalog(
  fn: (t: { dir: string; uri: string; catalogPath: string; snapshot: string }) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_rebuild_lock_" });
  const uri = pathToFileURL(join(dir, "repo")).href;
  try {
    const repo = await Repository.init(uri);
    for (const name of ["a", "b", "c"]) {
      await repo.publish((await repo.add(`/${name}.txt`, new TextEncoder().encode(name))).id);
    }
    const { uri: snapshot } = await repo.backup();
    await repo.close();
    const catalogPath = join(dir, "repo", ".vc~repo.sqlite");
    // A healthy copy, put in place later as the other restore's rebuild.
    await Deno.copyFile(catalogPath, join(dir, "rebuilt.sqlite"));
    await Deno.writeTextFile(catalogPath, "not a database ".repeat(600));
    await fn({ dir, uri, catalogPath, snapshot });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The restore's promise, and one that resolves with its first wait message. */
function restoreSayingWait(uri: string, snapshot: string) {
  let said!: (line: string) => void;
  const waiting = new Promise<string>((resolve) => said = resolve);
  const restore = Repository.restore(uri, snapshot, {
    force: true,
    onConnectWait: (line) => said(line),
  });
  // Whichever comes first: a restore that never waits settles before it says so.
  const first = Promise.race([
    waiting.then((line) => ({ waited: line })),
    restore.then(() => ({ waited: undefined }), () => ({ waited: undefined })),
  ]);
  return { restore, first };
}

Deno.test("repo restore --force waits while another restore rebuilds the damaged catalog, leaving its build alone", async () => {
  await withDamagedCatalog(async ({ dir, uri, catalogPath, snapshot }) => {
    const built = `${catalogPath}.rebuilding`;
    const lock = await Deno.open(`${catalogPath}.rebuild-lock`, { create: true, write: true });
    let held = true;
    try {
      await lock.lock(true);
      // The other restore's build in progress.
      await Deno.writeTextFile(built, "the other restore's catalog, half built");
      const { restore, first } = restoreSayingWait(uri, snapshot);
      const { waited } = await first;
      assert(waited !== undefined, "the restore went on without waiting for the other");
      assert(waited.includes("waiting for another restore"), waited);
      assert(waited.includes(catalogPath), waited);
      assertEquals(await Deno.readTextFile(built), "the other restore's catalog, half built");
      // The other restore ends, killed before it replaced the catalog: its
      // leftover build is replaced, the catalog rebuilt.
      lock.close();
      held = false;
      assertEquals((await restore).records, 3);
    } finally {
      if (held) lock.close();
    }
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.path), ["/a.txt", "/b.txt", "/c.txt"]);
    const names = [...Deno.readDirSync(join(dir, "repo"))].map((e) => e.name);
    assertEquals(names.filter((n) => n.endsWith(".rebuilding")), []);
    assertEquals(names.filter((n) => n.includes(".damaged-")).length, 1);
  });
});

Deno.test("repo restore --force that waited for another rebuild restores into the catalog it rebuilt", async () => {
  await withDamagedCatalog(async ({ dir, uri, catalogPath, snapshot }) => {
    const lock = await Deno.open(`${catalogPath}.rebuild-lock`, { create: true, write: true });
    let held = true;
    let restore: Promise<unknown>;
    try {
      await lock.lock(true);
      const started = restoreSayingWait(uri, snapshot);
      restore = started.restore;
      assert((await started.first).waited !== undefined, "the restore did not wait");
      // The other restore replaces the damaged catalog with its rebuild, then ends.
      await Deno.rename(catalogPath, `${catalogPath}.damaged-1`);
      await Deno.rename(join(dir, "rebuilt.sqlite"), catalogPath);
      lock.close();
      held = false;
    } finally {
      if (held) lock.close();
    }
    const report = await restore as { records: number; replaced?: number };
    assertEquals(report.records, 3);
    // Restored into the rebuilt catalog (its records replaced), not set aside as damaged.
    assertEquals(report.replaced, 3);
    const names = [...Deno.readDirSync(join(dir, "repo"))].map((e) => e.name);
    assertEquals(names.filter((n) => n.includes(".damaged-")), [".vc~repo.sqlite.damaged-1"]);
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.path), ["/a.txt", "/b.txt", "/c.txt"]);
  });
});
