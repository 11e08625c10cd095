/**
 * local → store mirror --delete: a file made at a key after the walk read
 * its directory (a `git checkout` replaces files by unlink and create, and a
 * pass walking between the two misses one) keeps its object: the delete was
 * planned from a walk that no longer holds. It is deferred, and the next run
 * (a watch's queue) compares it.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { tempDir } from "./versioned_helpers.ts";

async function keys(store: MemoryStore): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.list("")) out.push(o.key);
  return out.sort();
}

Deno.test("mirror local → store --delete: an object whose file came back during the pass is kept, then updated", async () => {
  await using dir = await tempDir("vc-mirror-delete-made-");
  await using store = new MemoryStore();
  const bytes = (s: string) => new TextEncoder().encode(s);
  await store.put("back.txt", bytes("old"));
  await store.put("gone.txt", bytes("old"));
  const src = join(dir.path, "s");
  await Deno.mkdir(src);
  await Deno.writeTextFile(join(src, "a.txt"), "a");
  const statePath = join(dir.path, "s.db");
  const r = await mirror({
    sources: [src],
    target: store,
    delete: true,
    statePath,
    // Uploads come before the deletes: the walk is done, the deletes planned.
    onAction: (a) => {
      if (a.action === "upload") Deno.writeTextFileSync(join(src, "back.txt"), "checked out");
    },
  });
  assertEquals(r.deletedKeys, ["gone.txt"]);
  assertEquals(r.deferred, [join(src, "back.txt")]);
  assertEquals(r.failed, []);
  assertEquals(await keys(store), ["a.txt", "back.txt"]);
  const again = await mirror({ sources: [src], target: store, delete: true, statePath });
  assertEquals(again.transferred, 1);
  assertEquals(again.deletedKeys, []);
  const { body } = await store.get("back.txt");
  assertEquals(await new Response(body).text(), "checked out");
});
