/**
 * A `file://` store overwrite killed (`kill -9`) in its commit, between
 * writing the key's new sidecar and renaming the new data over the old: the
 * new sidecar then sat beside the old data. Its fingerprint (the new file's
 * inode) did not match, so the old data was hashed again for its ETag, but
 * the old metadata and content type were gone for good: head, get and list
 * gave an object that was neither the old one nor the new one.
 */
import { join } from "node:path";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertEquals } from "./assert.ts";

// The child blocks in the data file's rename (the sidecar's own atomic write
// renames too, and goes ahead); the test then kills it.
const CHILD = `
import { FsStore } from ${JSON.stringify(new URL("../src/store/fs.ts", import.meta.url).href)};
const [root, key] = Deno.args;
const rename = Deno.renameSync;
Deno.renameSync = (from, to) => {
  if (String(to).includes(".vc~")) return rename(from, to);
  Deno.writeTextFileSync(root + "/../stalled", "");
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
};
await new FsStore(root).put(key, new Uint8Array([2, 2]), {
  metadata: { v: "new" },
  contentType: "application/x-new",
});
`;

async function killInRename(root: string, key: string): Promise<void> {
  const stalled = join(root, "..", "stalled");
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", CHILD, root, key],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    const until = Date.now() + 30_000;
    while (await Deno.lstat(stalled).catch(() => undefined) === undefined) {
      assert(Date.now() < until, "the child never reached the data rename");
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
}

async function md5Hex(bytes: Uint8Array): Promise<string> {
  const { Md5 } = await import("../src/hash.ts");
  const md5 = new Md5(bytes.length);
  md5.update(bytes);
  return md5.hex();
}

Deno.test("fs store: an overwrite killed between its sidecar and its rename leaves the old object whole", async () => {
  const dir = await Deno.makeTempDir();
  const root = join(dir, "store");
  try {
    const store = new FsStore(root);
    const old = new Uint8Array([1]);
    await store.put("k.txt", old, { metadata: { v: "old" }, contentType: "text/x-old" });
    // Twice: the second put replaces a sidecar the first left mid-commit.
    await killInRename(root, "k.txt");
    await Deno.remove(join(dir, "stalled"));
    await killInRename(root, "k.txt");
    // Each reader its own store: nothing remembered from the put above.
    for (let pass = 0; pass < 2; pass++) {
      const reader = new FsStore(root);
      const head = await reader.head("k.txt");
      const got = await reader.get("k.txt");
      const body = new Uint8Array(await new Response(got.body).arrayBuffer());
      const listed = [];
      for await (const info of reader.list("")) listed.push(info);
      assertEquals(body, old);
      assertEquals(head?.etag, await md5Hex(old));
      assertEquals(got.info.etag, head?.etag);
      assertEquals(head?.metadata, { v: "old" });
      assertEquals(got.info.metadata, { v: "old" });
      assertEquals(head?.contentType, "text/x-old");
      assertEquals(listed.map((i) => [i.key, i.size, i.etag]), [["k.txt", 1, head?.etag]]);
    }
    // The next put commits over it as usual.
    await store.put("k.txt", new Uint8Array([3]), { metadata: { v: "3" } });
    assertEquals((await new FsStore(root).head("k.txt"))?.metadata, { v: "3" });
    // Once committed, the sidecar no longer carries the replaced one.
    const sidecar = JSON.parse(await Deno.readTextFile(join(root, ".vc~meta~k.txt.json")));
    assertEquals("previous" in sidecar, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
