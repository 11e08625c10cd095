/**
 * A `file://` store writer killed (`kill -9`) between a file and its
 * sidecar: a delete between unlinking the data and the sidecar, a put of a
 * new key (`vc repo add`, `vc add`) between writing the sidecar and linking
 * the data. Either left `.vc~meta~<name>.json` with no object for good:
 * never swept, and a directory holding it was never removed, so a key of its
 * name could not be written (`vc mirror` of `a/x.txt` replaced by a file `a`
 * failed every pass with "a/ is a directory of other keys").
 */
import { join } from "node:path";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertEquals } from "./assert.ts";

// The child stalls at the chosen moment; the test then kills it.
const CHILD = `
import { FsStore } from ${JSON.stringify(new URL("../src/store/fs.ts", import.meta.url).href)};
setInterval(() => {}, 60_000); // alive until killed
const [root, op, key] = Deno.args;
const stall = () => {
  Deno.writeTextFileSync(root + "/../stalled", "");
  return new Promise(() => {});
};
if (op === "delete") {
  const remove = Deno.remove;
  Deno.remove = (path, options) =>
    String(path).includes(".vc~meta~") ? stall() : remove(path, options);
  await new FsStore(root).delete([key]);
} else {
  // Locks are taken by a link too: only the data's link stalls.
  const link = Deno.link;
  Deno.link = (from, to) => String(to).includes(".vc~lock~") ? link(from, to) : stall();
  await new FsStore(root).put(key, new Uint8Array([1, 2, 3]), { ifNoneMatch: "*" });
}
`;

/** Runs CHILD with `op` on `key` in `root` and kills it once it stalled there. */
async function killMidway(root: string, op: "delete" | "put", key: string): Promise<void> {
  const stalled = join(root, "..", "stalled");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", CHILD, root, op, key],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    const until = Date.now() + 30_000;
    while (await Deno.lstat(stalled).catch(() => undefined) === undefined) {
      assert(Date.now() < until, "the child never reached the chosen point");
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    child.kill("SIGKILL");
    await child.output();
    await Deno.remove(stalled).catch(() => {});
  }
}

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

for (const op of ["delete", "put"] as const) {
  Deno.test(`fs store: a ${op} killed between data and sidecar leaves no sidecar that blocks the key's directory`, async () => {
    const dir = await Deno.makeTempDir();
    const root = join(dir, "store");
    try {
      const store = new FsStore(root);
      await store.put("keep/y.txt", new Uint8Array([9]));
      if (op === "delete") await store.put("a/x.txt", new Uint8Array([1]));
      else await Deno.mkdir(join(root, "a"), { recursive: true });
      await killMidway(root, op, "a/x.txt");
      assertEquals(names(join(root, "a")).filter((n) => n.startsWith(".vc~meta~")), [
        ".vc~meta~x.txt.json",
      ]);
      // The directory holds no key: a key of its name can be written.
      await store.put("a", new Uint8Array([7]));
      assertEquals(await store.head("a").then((i) => i?.size), 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("fs store: a listing removes a sidecar whose object a killed delete removed", async () => {
  const dir = await Deno.makeTempDir();
  const root = join(dir, "store");
  try {
    const store = new FsStore(root);
    await store.put("d/x.txt", new Uint8Array([1]));
    await store.put("d/y.txt", new Uint8Array([2]));
    await killMidway(root, "delete", "d/x.txt");
    const keys = [];
    for await (const info of store.list("")) keys.push(info.key);
    assertEquals(keys, ["d/y.txt"]);
    assertEquals(names(join(root, "d")), [".vc~meta~y.txt.json", "y.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fs store: a sidecar whose put holds the key's lock is kept by a listing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const store = new FsStore(dir);
    await store.put("z.txt", new Uint8Array([1]));
    // A put mid-commit: its lock held, its sidecar written, its data not yet linked.
    await Deno.writeTextFile(join(dir, ".vc~meta~n.txt.json"), "{}");
    const { tryAcquireLock } = await import("../src/store/fs_lock.ts");
    const lock = (await tryAcquireLock(join(dir, ".vc~lock~n.txt")))!;
    try {
      for await (const _ of store.list("")) { /* sweep */ }
      assert(names(dir).includes(".vc~meta~n.txt.json"), "a live put's sidecar was removed");
    } finally {
      await lock.release();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
