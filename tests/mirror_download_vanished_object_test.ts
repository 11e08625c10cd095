/**
 * An object deleted from the store between the listing and its GET (a tool
 * that writes temporary objects and removes them, another mirror's
 * `--delete`): the failure said only that it does not exist, not that it was
 * listed a moment before, that the local file is kept, nor what the next run
 * does. The object that changed between the listing and its GET is
 * downloaded whole in its new version (never a mix of the two).
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { assert, assertEquals } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";
import { overriding } from "./overriding.ts";

Deno.test("mirror store → local: an object gone or replaced after the listing", async () => {
  await using w = await tempDir();
  const fs = new FsStore(join(w.dir, "store"));
  try {
    const bytes = (text: string) => new TextEncoder().encode(text);
    await fs.put("gone.txt", bytes("v1"));
    await fs.put("changed.txt", bytes("v1"));
    await fs.put("kept.txt", bytes("v1"));
    const dl = join(w.dir, "dl");
    await Deno.mkdir(dl);
    await Deno.writeTextFile(join(dl, "gone.txt"), "the user's copy");
    // Each GET finds the store changed since the listing, once.
    const raced = new Set<string>();
    const store: ObjectStore = overriding(fs, {
      get: async (...args: Parameters<ObjectStore["get"]>) => {
        const [key] = args;
        if (!raced.has(key)) {
          raced.add(key);
          if (key === "gone.txt") await fs.delete([key]);
          if (key === "changed.txt") await fs.put(key, bytes("version two"));
        }
        return await fs.get(...args);
      },
    });
    const r = await mirror({ sources: [store], target: dl, statePath: join(w.dir, "s.db") });
    assertEquals(r.failed.map((f) => f.key), ["gone.txt"]);
    const text = r.failed[0]!.error;
    assert(text.includes(`${fs.url}/gone.txt`), text);
    assert(text.includes("gone from the store since it was listed"), text);
    assert(text.includes("the next run mirrors what is there then"), text);
    assertEquals(await Deno.readTextFile(join(dl, "gone.txt")), "the user's copy");
    assertEquals(await Deno.readTextFile(join(dl, "changed.txt")), "version two");
    assertEquals(await Deno.readTextFile(join(dl, "kept.txt")), "v1");
  } finally {
    await fs.close?.();
  }
});
