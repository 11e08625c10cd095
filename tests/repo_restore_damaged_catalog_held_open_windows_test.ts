/**
 * `vc repo restore --force` over a damaged SQLite catalog renames the
 * rebuilt catalog over the damaged one. On Windows that rename is refused
 * while another program holds the damaged file open (SQLite opens it without
 * delete sharing: a `vc serve` or a DB browser still on it), for a moment or
 * for good; the restore failed at once on a bare "Access is denied (os error
 * 5)" naming no file. It now goes through the one replace of vc's
 * (`renameOver`): retried for about a second, then an error naming the
 * catalog and saying another program has it open. The Windows strategy's
 * logic, run on Linux by switching `fsPlatform.mandatoryLocks` and refusing
 * renames as Windows does; not Windows' own rename semantics.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";
import { withFsPlatform } from "../src/fs_platform.ts";

const CATALOG = ".vc~repo.sqlite";

/**
 * Runs `fn` with renames onto the catalog refused like Windows for their
 * first `failures` tries. With `wal`, the holder's WAL files are there as
 * the damaged catalog is set aside (its open handles keep them from
 * SQLite's cleanup), and renames of them are refused so too.
 */
async function withCatalogHeldOpen<T>(
  failures: number,
  fn: () => Promise<T>,
  wal = false,
): Promise<T> {
  const { rename, renameSync, link } = Deno;
  let refused = 0;
  const refuse = (from: string | URL, to: string | URL) => {
    const held = String(to).endsWith(`/${CATALOG}`) ||
      wal && /\/\.vc~repo\.sqlite-(wal|shm)$/.test(String(from));
    if (held && refused++ < failures) {
      throw new Deno.errors.PermissionDenied("Access is denied. (os error 5)");
    }
  };
  Deno.renameSync = (from, to) => {
    refuse(from, to);
    renameSync(from, to);
  };
  Deno.rename = (from, to) => {
    try {
      refuse(from, to);
    } catch (error) {
      return Promise.reject(error);
    }
    return rename(from, to);
  };
  Deno.link = async (from, to) => {
    if (wal && from.endsWith(`/${CATALOG}`)) {
      for (const suffix of ["-wal", "-shm"]) await Deno.writeTextFile(`${from}${suffix}`, suffix);
    }
    return await link(from, to);
  };
  try {
    return await withFsPlatform({ mandatoryLocks: true }, fn);
  } finally {
    Deno.rename = rename;
    Deno.renameSync = renameSync;
    Deno.link = link;
  }
}

async function withDamagedCatalog(
  fn: (t: { uri: string; catalogPath: string; snapshot: string }) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_held_open_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const repo = await Repository.init(uri);
    await repo.publish((await repo.add("/a.txt", new TextEncoder().encode("a"))).id);
    const { uri: snapshot } = await repo.backup();
    await repo.close();
    const catalogPath = join(dir, "repo", CATALOG);
    await Deno.writeFile(catalogPath, new TextEncoder().encode("not a database ".repeat(600)));
    await fn({ uri, catalogPath, snapshot });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("Windows strategy (logic): a damaged catalog held open for a moment is still replaced", async () => {
  await withDamagedCatalog(async ({ uri, snapshot }) => {
    const restored = await withCatalogHeldOpen(
      2,
      () => Repository.restore(uri, snapshot, { force: true }),
    );
    assertEquals(restored.records, 1);
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.path), ["/a.txt"]);
  });
});

Deno.test("Windows strategy (logic): a damaged catalog held open for good names it", async () => {
  await withDamagedCatalog(async ({ uri, catalogPath, snapshot }) => {
    const damaged = await Deno.readFile(catalogPath);
    const error = await withCatalogHeldOpen(
      1000,
      () => assertRejects(() => Repository.restore(uri, snapshot, { force: true })),
    );
    assertStringIncludes(error.message, catalogPath);
    assertStringIncludes(error.message, "another program has it open");
    assertEquals(await Deno.readFile(catalogPath), damaged, "the damaged catalog stays");
    // Closed, the same restore goes through.
    assertEquals((await Repository.restore(uri, snapshot, { force: true })).records, 1);
  });
});

Deno.test("Windows strategy (logic): a damaged catalog whose WAL files are held open for good names them", async () => {
  await withDamagedCatalog(async ({ uri, catalogPath, snapshot }) => {
    const error = await withCatalogHeldOpen(
      1000,
      () => assertRejects(() => Repository.restore(uri, snapshot, { force: true })),
      true,
    );
    // Was a bare "Access is denied. (os error 5)", at once: not retried, naming no file.
    assertStringIncludes(error.message, `cannot move ${catalogPath}-wal to `);
    assertStringIncludes(error.message, "another program has it open");
    assertEquals(await Deno.readTextFile(`${catalogPath}-wal`), "-wal", "its WAL file stays");
    // Closed, the same restore goes through.
    assertEquals((await Repository.restore(uri, snapshot, { force: true })).records, 1);
  });
});
