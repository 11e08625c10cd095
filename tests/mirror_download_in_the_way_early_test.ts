/**
 * Store → local: a key whose place holds a directory with files, or one of
 * whose directories is a local file, that this run does not delete, fails
 * before its object is fetched, and the dry run says so too (but of a
 * directory under --delete, whose files the run may delete first). Before, every
 * run downloaded the whole object only to fail at the rename (a GET of the
 * whole object each run, for ever), and the dry run promised the download.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { fakeBackend, prefixToLocal, tempDir, treeContents } from "./mirror_helpers.ts";

const enc = new TextEncoder();
const BIG = "x".repeat(200_000);

const SHAPES = [
  {
    name: "a directory with files where the file goes",
    key: "d",
    local: { "d/mine.txt": "the user's" },
    said: "in the way: a directory with files",
    names: "mine.txt",
  },
  {
    name: "a file where one of its directories belongs",
    key: "a/b.bin",
    local: { "a": "the user's" },
    said: "in the way: a file is where one of its directories belongs",
    names: "/out/a is a file",
  },
];

for (const shape of SHAPES) {
  for (const extra of [{}, { delete: true, exclude: ["^(a|d/mine\\.txt)$"] }]) {
    const how = "delete" in extra ? " (--delete, the local entry excluded)" : "";
    Deno.test(`mirror (store → local): ${shape.name}${how} fails before any GET`, async () => {
      await using b = await fakeBackend();
      await using w = await tempDir();
      await b.store.put(`p/${shape.key}`, enc.encode(BIG));
      await b.store.put("p/ok.txt", enc.encode("ok"));
      const out = join(w.dir, "out");
      for (const [rel, text] of Object.entries(shape.local)) {
        await Deno.mkdir(join(out, rel, ".."), { recursive: true });
        await Deno.writeTextFile(join(out, rel), text);
      }
      const opts = prefixToLocal(b.store, w.dir, extra);
      const planned = await mirror({ ...opts, dryRun: true });
      // With --delete a directory's files may go first: the dry run, which
      // deletes nothing, cannot tell which stay (the excluded one).
      if (shape.key === "d" && "delete" in extra) {
        assertEquals([planned.transferred, planned.deleted, planned.failed], [2, 0, []]);
      } else {
        assertEquals([planned.transferred, planned.deleted], [1, 0]);
        assertEquals(planned.failed.map((f) => f.key), [shape.key]);
        assertStringIncludes(planned.failed[0]!.error, shape.said);
      }
      for (let run = 0; run < 2; run++) {
        b.fake!.resetStats();
        const r = await mirror(opts);
        assertEquals(r.failed.map((f) => f.key), [shape.key]);
        assertStringIncludes(r.failed[0]!.error, shape.said);
        assertStringIncludes(r.failed[0]!.error, shape.names);
        assertEquals(b.fake!.stats.GetObject ?? 0, run === 0 ? 1 : 0, "only ok.txt is fetched");
      }
      assertEquals(await treeContents(out), { ...shape.local, "ok.txt": "ok" });
    });
  }
}

Deno.test("mirror (store → local --delete): a local entry in the way that the run deletes still gives way, dry run alike", async () => {
  for (const shape of SHAPES) {
    await using b = await fakeBackend();
    await using w = await tempDir();
    await b.store.put(`p/${shape.key}`, enc.encode("the store's"));
    const out = join(w.dir, "out");
    for (const [rel, text] of Object.entries(shape.local)) {
      await Deno.mkdir(join(out, rel, ".."), { recursive: true });
      await Deno.writeTextFile(join(out, rel), text);
    }
    const opts = prefixToLocal(b.store, w.dir, { delete: true });
    const planned = await mirror({ ...opts, dryRun: true });
    assertEquals([planned.transferred, planned.deleted, planned.failed], [1, 1, []]);
    const r = await mirror(opts);
    assertEquals([r.transferred, r.deleted, r.failed], [1, 1, []]);
    assertEquals(await treeContents(out), { [shape.key]: "the store's" });
  }
});
