/**
 * A store listing a key with a lone UTF-16 surrogate (`a\uD800.txt`, which an
 * S3-compatible server can send as `&#xD800;`, or an `ObjectStore` of the API
 * can list) next to `a\uFFFD.txt`: the two have the same UTF-8 bytes (the
 * surrogate has no UTF-8 form and encodes as U+FFFD), so the merge took them
 * for one key listed twice and the whole mirror stopped with "source is not
 * in UTF-8 key order". The key is now refused on its own, named escaped, as
 * a failure (exit 1, no deletes that run); the rest is mirrored.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { FsStore } from "../src/store/fs.ts";
import type { ListOptions, ObjectInfo } from "../src/store/types.ts";
import { Mirror } from "../src/mirror/mod.ts";
import { printable } from "../src/printable.ts";

/** An FsStore that also lists `a\uD800.txt` just before `a\uFFFD.txt`. */
class OddStore extends FsStore {
  override async *list(prefix: string, options: ListOptions = {}): AsyncGenerator<ObjectInfo> {
    for await (const o of super.list(prefix, options)) {
      if (o.key === "a\uFFFD.txt") yield { ...o, key: "a\uD800.txt" };
      yield o;
    }
  }
}

Deno.test("mirror: a lone-surrogate key next to its U+FFFD twin fails alone, named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_lone_surrogate_" });
  try {
    const store = new OddStore(join(dir, "bucket"));
    await store.put("a\uFFFD.txt", new TextEncoder().encode("fffd"));
    await store.put("b.txt", new TextEncoder().encode("b"));
    const out = join(dir, "out");
    await Deno.mkdir(out);
    await Deno.writeTextFile(join(out, "old.txt"), "old");
    {
      await using m = await Mirror.open({
        sources: [store],
        target: out,
        statePath: join(dir, "state.sqlite"),
        delete: true,
      });
      const report = await m.run();
      assertEquals(report.transferred, 2);
      assertEquals(report.failed.length, 1, JSON.stringify(report.failed));
      const f = report.failed[0]!;
      const text = `${f.path}: ${f.error}`;
      assertStringIncludes(text, "a\\ud800.txt");
      assertStringIncludes(text, "lone UTF-16 surrogate");
      assert(text.isWellFormed(), text);
      // The listing is incomplete: nothing is deleted this run.
      assertEquals(report.deleted, 0);
    }
    assertEquals(await Deno.readTextFile(join(out, "a\uFFFD.txt")), "fffd");
    assertEquals(await Deno.readTextFile(join(out, "b.txt")), "b");
    assertEquals(await Deno.readTextFile(join(out, "old.txt")), "old");
    await store.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("printable: a lone surrogate is escaped, not printed as U+FFFD", () => {
  assertEquals(printable("a\uD800.txt"), "a\\ud800.txt");
  assertEquals(printable("a\uDC00"), "a\\udc00");
  assertEquals(printable("😀"), "😀");
});
