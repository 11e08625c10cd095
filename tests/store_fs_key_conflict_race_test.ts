/**
 * FsStore: a put that loses a race to a put of a key below or above it
 * (`a/b` against `a/b/c`) fails with `KeyConflictError`, as it does when the
 * other key was there first, not with the raw EISDIR / ENOTDIR of the rename
 * or open that hit the other key's directory or file. Found with processes
 * putting and deleting `a`, `a/b`, `a/b/c` at once; here each race is made
 * to happen by running the other put's effect at the losing moment. The
 * failed put's clean-up of the directories it made used `Deno.remove`,
 * which unlinks a file too: it deleted the other writer's object `a/b`.
 */
import { join } from "node:path";
import { KeyConflictError } from "../src/errors.ts";
import { FsStore } from "../src/store/fs.ts";
import { assertEquals, assertRejects } from "./assert.ts";

const enc = new TextEncoder();

async function withRoot(fn: (root: string, store: FsStore) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "vc-fs-conflict-race-" });
  try {
    await fn(root, new FsStore(root));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("FsStore: a put whose key became a directory of other keys meanwhile is a KeyConflictError", async () => {
  await withRoot(async (root, store) => {
    // An empty directory where the key goes gives way (as one left by hand
    // does); between its removal and the rename, another put makes it again
    // for its key below.
    await Deno.mkdir(join(root, "a", "b"), { recursive: true });
    const renameSync = Deno.renameSync;
    let calls = 0;
    Deno.renameSync = (from: string | URL, to: string | URL) => {
      if (String(to) === join(root, "a", "b") && ++calls === 2) {
        Deno.mkdirSync(join(root, "a", "b"));
        Deno.writeTextFileSync(join(root, "a", "b", "c"), "other");
      }
      return renameSync(from, to);
    };
    try {
      await assertRejects(() => store.put("a/b", enc.encode("x")), KeyConflictError, "a/b/");
    } finally {
      Deno.renameSync = renameSync;
    }
    assertEquals(await Deno.readTextFile(join(root, "a", "b", "c")), "other");
  });
});

Deno.test("FsStore: a put whose parent became an object meanwhile is a KeyConflictError", async () => {
  await withRoot(async (root, store) => {
    const openSync = Deno.openSync;
    Deno.openSync = (path: string | URL, options?: Deno.OpenOptions) => {
      const dir = join(root, "a", "b");
      if (String(path).startsWith(dir + "/.c.vc-tmp-")) {
        // Another process deleted a/b/c's directory and put the key a/b.
        Deno.removeSync(dir, { recursive: true });
        Deno.writeTextFileSync(dir, "other");
      }
      return openSync(path, options);
    };
    try {
      await assertRejects(
        () => store.put("a/b/c", enc.encode("x")),
        KeyConflictError,
        "a/b is an object",
      );
    } finally {
      Deno.openSync = openSync;
    }
    assertEquals(await Deno.readTextFile(join(root, "a", "b")), "other");
  });
});
