/**
 * `vc mirror --watch`: a batch of many files in one directory (an `rm
 * logs/*`, an `rsync` of new files into a directory that exists) looked
 * each file's object up alone: a HEAD per file (10,000 HEADs for a cleanup
 * of 10,000 logs), and with an upload-only key (HEAD refused) a LIST per
 * file, where one listing of the directory's prefix shows them all. The
 * files of a directory now come from one listing of it when it takes fewer
 * pages than there are files (the state tells how many objects are below
 * it), and the batch's uploads are confirmed by that listing's scope too.
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import { assert, assertEquals } from "./assert.ts";
import { countingS3Proxy } from "./s3_proxy.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

const FILES = 60;

for (const refused of [false, true]) {
  const key = refused ? " (HEAD refused)" : "";
  Deno.test(`mirror --watch${key}: an rm dir/* and new files in a directory are one listing of it, not a request each`, async () => {
    let refuse = false;
    const { proxied, seen } = await countingS3Proxy(() => refuse);
    await using _proxied = proxied;
    await using w = await tempDir();
    const src = join(w.dir, "src");
    const old = Array.from({ length: FILES }, (_, i) => `logs/old${i}.txt`);
    await writeTree(src, {
      "logs/keep.txt": "k",
      "other.txt": "o",
      ...Object.fromEntries(old.map((n) => [n, n])),
    });
    await using m = await Mirror.open({
      sources: [src],
      target: proxied.store,
      statePath: join(w.dir, "s.db"),
      delete: true,
    });
    assertEquals((await m.run()).transferred, FILES + 2);
    refuse = refused;
    for (const n of old) await Deno.remove(join(src, n));
    const fresh = Array.from({ length: FILES }, (_, i) => `logs/new${i}.txt`);
    await writeTree(src, Object.fromEntries(fresh.map((n) => [n, n])));
    Object.assign(seen, { heads: 0, lists: 0, puts: 0 });
    const r = await m.syncPaths([...old, ...fresh].map((n) => join(src, n)));
    assertEquals(r.failed, []);
    assertEquals([r.transferred, r.deleted, r.uploadsUnconfirmed], [FILES, FILES, undefined]);
    assertEquals(seen.puts, FILES);
    // One listing to look the files up, one to confirm the uploads.
    assert(seen.heads + seen.lists <= 3, JSON.stringify(seen));
    const left = [];
    for await (const o of proxied.direct.list("")) left.push(o.key);
    assertEquals(left, ["logs/keep.txt", ...fresh.toSorted(), "other.txt"]);
  });
}

Deno.test("mirror --watch: one changed file in a big directory is still one HEAD, not a listing of it", async () => {
  const { proxied, seen } = await countingS3Proxy();
  await using _proxied = proxied;
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(
    src,
    Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`d/f${i}.txt`, `${i}`])),
  );
  await using m = await Mirror.open({
    sources: [src],
    target: proxied.store,
    statePath: join(w.dir, "s.db"),
  });
  await m.run();
  await Deno.writeTextFile(join(src, "d/f1.txt"), "changed");
  Object.assign(seen, { heads: 0, lists: 0, puts: 0 });
  const r = await m.syncPaths([join(src, "d/f1.txt")]);
  assertEquals([r.failed, r.transferred], [[], 1]);
  assertEquals([seen.lists, seen.heads, seen.puts], [0, 2, 1]);
});
