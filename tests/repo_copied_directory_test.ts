/**
 * A directory repository copied (`cp -a`, rsync) or moved (`mv`): its marker
 * names the SQLite catalog by the original's absolute path. The copy used to
 * write its records into the original's catalog (its content here, its
 * records there, the original's `check` finding them missing), and a moved
 * one failed to find its catalog. Each now uses the catalog beside its own
 * content, unless the catalog the marker names is this store's own (a
 * restore with `--catalog` put it there).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/repository.ts";
import { assertEquals } from "./assert.ts";

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    const a = join(from, entry.name);
    const b = join(to, entry.name);
    if (entry.isDirectory) await copyDir(a, b);
    else await Deno.copyFile(a, b);
  }
}

const bytes = (text: string) => new TextEncoder().encode(text);
const paths = async (repo: Repository) => (await repo.list()).map((r) => r.path).sort();

Deno.test("repo copied with its directory: the copy's records go to its own catalog, never the original's", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const original = pathToFileURL(join(dir, "r1")).href;
    const copy = pathToFileURL(join(dir, "r2")).href;
    {
      await using repo = await Repository.init(original);
      await repo.add("/a.txt", bytes("a"));
    }
    await copyDir(join(dir, "r1"), join(dir, "r2"));
    {
      await using repo = await Repository.open(copy);
      await repo.add("/b.txt", bytes("b"));
      assertEquals(await paths(repo), ["/a.txt", "/b.txt"]);
      assertEquals(
        repo.marker.catalog.kind === "sqlite" && repo.marker.catalog.path,
        join(dir, "r2", ".vc~repo.sqlite"),
      );
      const report = await repo.check();
      assertEquals([report.ok, report.problems.length], [true, 0]);
    }
    {
      await using repo = await Repository.open(original);
      assertEquals(await paths(repo), ["/a.txt"], "the original's catalog is untouched");
      assertEquals((await repo.check()).ok, true);
      await repo.add("/c.txt", bytes("c"));
    }
    // A forced restore into the copy replaces the copy's records only.
    {
      await using repo = await Repository.open(copy);
      const { uri } = await repo.backup(pathToFileURL(join(dir, "copy.jsonl.gz")).href);
      await repo.add("/d.txt", bytes("d"));
      await repo.close();
      await Repository.restore(copy, uri, { force: true });
    }
    {
      await using repo = await Repository.open(original);
      assertEquals(await paths(repo), ["/a.txt", "/c.txt"]);
    }
    {
      await using repo = await Repository.open(copy);
      assertEquals(await paths(repo), ["/a.txt", "/b.txt"]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo moved with its directory: it opens on the catalog beside its content", async () => {
  const dir = await Deno.makeTempDir();
  try {
    {
      await using repo = await Repository.init(pathToFileURL(join(dir, "old")).href);
      await repo.add("/a.txt", bytes("a"));
    }
    await Deno.rename(join(dir, "old"), join(dir, "new"));
    await using repo = await Repository.open(pathToFileURL(join(dir, "new")).href);
    assertEquals(await paths(repo), ["/a.txt"]);
    assertEquals((await repo.check()).ok, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo whose catalog a restore moved to another .vc~repo.sqlite: the marker's catalog stays the one used", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const uri = pathToFileURL(join(dir, "r")).href;
    let snapshot: string;
    {
      await using repo = await Repository.init(uri);
      await repo.add("/a.txt", bytes("a"));
      snapshot = (await repo.backup()).uri;
    }
    await Deno.mkdir(join(dir, "elsewhere"));
    const moved = join(dir, "elsewhere", ".vc~repo.sqlite");
    await Repository.restore(uri, snapshot, { catalog: `sqlite:${moved}` });
    {
      await using repo = await Repository.open(uri);
      assertEquals(repo.marker.catalog.kind === "sqlite" && repo.marker.catalog.path, moved);
      await repo.add("/b.txt", bytes("b"));
    }
    // The stale catalog left beside the content did not take the add.
    {
      await using repo = await Repository.open(uri);
      assertEquals(await paths(repo), ["/a.txt", "/b.txt"]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
