/**
 * The mirror's default state file lives in the cache dir, which may have
 * been restored from an untrusted source: a symbolic link planted there
 * (the `mirror` directory, the state file, or a file SQLite keeps beside it)
 * is refused, naming it, and nothing is written where it points.
 */
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { mirror } from "../src/mirror/mirror.ts";
import { defaultStatePath } from "../src/mirror/state.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

const linkable = Deno.build.os !== "windows"; // symlinks need privileges there

async function withMirror(
  plant: (cacheDir: string, statePath: string, outside: string) => Promise<void>,
  check: (outside: string) => void,
): Promise<void> {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const cacheDir = join(w.dir, "cache");
  const outside = join(w.dir, "outside");
  await Deno.mkdir(outside);
  await writeTree(src, { "a.txt": "a" });
  const store = new FsStore(join(w.dir, "bucket"));
  try {
    const target = store.url;
    // The path setup computes: the resolved sources and the target's URL.
    const statePath = defaultStatePath(cacheDir, {
      sources: [src],
      target,
      sourcePrefix: "",
      targetPrefix: "",
    });
    await plant(cacheDir, statePath, outside);
    await assertRejects(
      () => mirror({ sources: [src], target: store, cacheDir }),
      Error,
      "is a symbolic link inside the cache dir",
    );
    check(outside);
  } finally {
    await store.close();
  }
}

Deno.test({
  name: "mirror: a planted link as the cache's mirror/ directory is refused, nothing written",
  ignore: !linkable,
  async fn() {
    await withMirror(async (cacheDir, _statePath, outside) => {
      await Deno.mkdir(cacheDir);
      await Deno.symlink(outside, join(cacheDir, "mirror"));
    }, (outside) => assertEquals([...Deno.readDirSync(outside)], []));
  },
});

Deno.test({
  name: "mirror: a planted link as the default state file leaves the database it names alone",
  ignore: !linkable,
  async fn() {
    await withMirror(async (_cacheDir, statePath, outside) => {
      const victim = new DatabaseSync(join(outside, "app.db"));
      victim.exec("CREATE TABLE t (x)");
      victim.close();
      await Deno.mkdir(join(statePath, ".."), { recursive: true });
      await Deno.symlink(join(outside, "app.db"), statePath);
    }, (outside) => {
      const db = new DatabaseSync(join(outside, "app.db"));
      try {
        const tables = db.prepare("SELECT name FROM sqlite_master").all().map((r) => r.name);
        assertEquals(tables, ["t"]);
        assertEquals(db.prepare("PRAGMA journal_mode").get()?.journal_mode, "delete");
      } finally {
        db.close();
      }
    });
  },
});

Deno.test({
  name: "mirror: a planted link beside the default state file (its .lock) is refused",
  ignore: !linkable,
  async fn() {
    await withMirror(async (_cacheDir, statePath, outside) => {
      await Deno.writeTextFile(join(outside, "notes.txt"), "keep\n");
      await Deno.mkdir(join(statePath, ".."), { recursive: true });
      await Deno.symlink(join(outside, "notes.txt"), `${statePath}.lock`);
    }, (outside) => assertEquals(Deno.readTextFileSync(join(outside, "notes.txt")), "keep\n"));
  },
});
