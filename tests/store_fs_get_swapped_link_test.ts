/**
 * A name in an FsStore swapped for a symbolic link between the look at it
 * (`lstat`: a regular file) and the open (`ln -sfn /etc/passwd KEY` by
 * another user of the directory) was read through: `get` served the link's
 * target, outside the root, and a listing hashed it. Now the file opened must
 * be the one looked at (same device and inode): else the name is looked at
 * again, and a link there is no object.
 */
import { FsStore } from "../src/store/fs.ts";
import { NotFoundError } from "../src/errors.ts";
import { assert, assertEquals } from "./assert.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

/** Runs `fn` with `Deno.open` swapping `path` for a link to `target` just before opening it. */
async function withSwapOnOpen<T>(path: string, target: string, fn: () => Promise<T>): Promise<T> {
  const open = Deno.open;
  (Deno as { open: typeof Deno.open }).open = (p, o) => {
    if (String(p) === path) {
      Deno.removeSync(path);
      Deno.symlinkSync(target, path);
    }
    return open(p, o);
  };
  try {
    return await fn();
  } finally {
    (Deno as { open: typeof Deno.open }).open = open;
  }
}

Deno.test({
  name: "a file swapped for a link between look and open is not read through",
  ignore: Deno.build.os === "windows", // symlinks need privileges there
  fn: async () => {
    const root = await Deno.makeTempDir();
    const outside = await Deno.makeTempFile();
    try {
      await Deno.writeTextFile(outside, "secret outside the store");
      const store = new FsStore(root);
      await store.put("k.txt", bytes("mine"));
      const path = `${root}/k.txt`;
      const got = await withSwapOnOpen(path, outside, () =>
        store.get("k.txt").then(
          async ({ body }) => await new Response(body).text(),
          (e: Error) => e,
        ));
      assert(got instanceof NotFoundError, `get read through the link: ${got}`);

      // A listing hashing a file without a valid sidecar does not hash the target either.
      await Deno.remove(path);
      await Deno.writeTextFile(path, "mine again");
      await Deno.remove(`${root}/.vc~meta~k.txt.json`).catch(() => {});
      const keys: string[] = [];
      await withSwapOnOpen(path, outside, async () => {
        for await (const info of store.list("")) keys.push(`${info.key}:${info.size}`);
      });
      assertEquals(keys, []);
      assertEquals(await Deno.readTextFile(outside), "secret outside the store");
    } finally {
      await Deno.remove(root, { recursive: true });
      await Deno.remove(outside);
    }
  },
});

Deno.test("a get that opens a file a put renamed into place meanwhile serves it", async () => {
  const root = await Deno.makeTempDir();
  try {
    const store = new FsStore(root);
    await store.put("k.txt", bytes("old"));
    const path = `${root}/k.txt`;
    const open = Deno.open;
    let swapped = false;
    (Deno as { open: typeof Deno.open }).open = (p, o) => {
      if (String(p) === path && !swapped) {
        swapped = true;
        Deno.writeTextFileSync(`${path}.new`, "new");
        Deno.renameSync(`${path}.new`, path);
      }
      return open(p, o);
    };
    try {
      const { body } = await store.get("k.txt");
      assertEquals(await new Response(body).text(), "new");
    } finally {
      (Deno as { open: typeof Deno.open }).open = open;
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
