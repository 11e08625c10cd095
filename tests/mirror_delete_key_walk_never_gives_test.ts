/**
 * local → store mirror --delete: before deleting a target-only object, the
 * mirror looks whether a file came back at its key since the walk (then the
 * delete is deferred). That look must find only a file the walk would give
 * that very key. It opened the key as a path, which also finds a file the
 * walk never names so: one below a linked directory the walk skips, or, on a
 * case-insensitive file system (macOS, Windows), the file of another letter
 * case (`Data/A.txt` opens `data/a.txt` there). Such an object was reported
 * "still being written (later)" on every run and never deleted: a file
 * renamed in case (`git mv A.txt a.txt`) kept its old object for good.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { fileOfKey } from "../src/mirror/local_side.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { withCaseInsensitiveFs } from "./case_insensitive_fs.ts";
import { tempDir } from "./versioned_helpers.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

async function keys(store: MemoryStore): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list("")) out.push(o.key);
  return out.sort();
}

Deno.test("mirror local → store --delete: an object under a skipped directory link is deleted, not deferred", async () => {
  await using dir = await tempDir("vc-mirror-delete-link-");
  await using store = new MemoryStore();
  const src = join(dir.path, "s");
  await Deno.mkdir(join(src, "real"), { recursive: true });
  await Deno.writeTextFile(join(src, "real", "a.txt"), "a");
  await Deno.symlink("real", join(src, "Link"));
  // Uploaded when the link was a directory, or by another tool.
  await store.put("Link/a.txt", bytes("a"));
  const statePath = join(dir.path, "s.db");
  const r = await mirror({ sources: [src], target: store, delete: true, statePath });
  assertEquals([r.deletedKeys, r.deferred, r.failed], [["Link/a.txt"], [], []]);
  assertEquals(await keys(store), ["real/a.txt"]);
  // Followed, the link is a directory of the source: its file is one again.
  const followed = { dir: src, base: "" };
  assertEquals(await fileOfKey([followed], "Link/a.txt", "follow"), join(src, "Link", "a.txt"));
  assertEquals(await fileOfKey([followed], "Link/a.txt", "skip"), undefined);
});

// Whether this machine's temp directory ignores letter case (macOS, Windows).
function tempIgnoresCase(): boolean {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(join(dir, "a"), "");
    return Deno.lstatSync(join(dir, "A")).isFile;
  } catch {
    return false;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test({
  name: "mirror local → store --delete: the object of a file renamed in letter case is deleted",
  // Needs a case-insensitive file system: Linux's temp directory is not one.
  ignore: !tempIgnoresCase(),
  async fn() {
    await using dir = await tempDir("vc-mirror-delete-case-");
    await using store = new MemoryStore();
    const src = join(dir.path, "s");
    await Deno.mkdir(join(src, "data"), { recursive: true });
    await Deno.writeTextFile(join(src, "data", "a.txt"), "a");
    await store.put("Data/A.txt", bytes("a"));
    const root = { dir: src, base: "" };
    assertEquals(await fileOfKey([root], "Data/A.txt", "skip"), undefined);
    assertEquals(await fileOfKey([root], "data/a.txt", "skip"), join(src, "data", "a.txt"));
    const statePath = join(dir.path, "s.db");
    const r = await mirror({ sources: [src], target: store, delete: true, statePath });
    assertEquals([r.deletedKeys, r.deferred, r.failed], [["Data/A.txt"], [], []]);
    assertEquals(await keys(store), ["data/a.txt"]);
  },
});

Deno.test("fileOfKey where names ignore case: a file at the key's own spelling is found, through a followed link too", async () => {
  await withCaseInsensitiveFs(async () => {
    await using dir = await tempDir("vc-mirror-key-spelling-");
    await Deno.mkdir(join(dir.path, "Data"));
    await Deno.writeTextFile(join(dir.path, "Data", "A.txt"), "a");
    await Deno.symlink("Data", join(dir.path, "Link"));
    const root = { dir: dir.path, base: "p/" };
    assertEquals(await fileOfKey([root], "p/Data/A.txt"), join(dir.path, "Data", "A.txt"));
    assertEquals(
      await fileOfKey([root], "p/Link/A.txt", "follow"),
      join(dir.path, "Link", "A.txt"),
    );
    assertEquals(await fileOfKey([root], "p/Link/A.txt"), undefined);
  });
});

Deno.test("fileOfKey on Windows: a key with a backslash names no file (a separator there)", async () => {
  await using dir = await tempDir("vc-mirror-key-backslash-");
  // On Linux a backslash is a name's character, so the file can be made.
  await Deno.writeTextFile(join(dir.path, "a\\b.txt"), "a");
  const root = { dir: dir.path, base: "" };
  assertEquals(await fileOfKey([root], "a\\b.txt"), join(dir.path, "a\\b.txt"));
  await withFsPlatform({ windowsNames: true }, async () => {
    assertEquals(await fileOfKey([root], "a\\b.txt"), undefined);
  });
});
