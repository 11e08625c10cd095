/**
 * A local file or directory whose name is not valid UTF-8 (Latin-1 `café`
 * from an old zip archive) cannot be a key: it is reported and skipped. It
 * held back every delete of `--delete`, at every run (and every full pass of
 * a watch) for as long as the name stayed, since its walk failure counted as
 * a directory that could not be read. No key can come from such a name, so
 * the other deletes go ahead; only the objects at the name as Deno reads it
 * (U+FFFD for the bad bytes: where rclone, which writes such names so, put
 * its copy) are kept, counted as only on target. Its failure lasts until
 * the name changes (`untilChanged`: a watch says it once). Linux only: the
 * names are made with `printf` (Deno cannot name a file with bytes that are
 * not UTF-8), and macOS refuses such names.
 */
import { join } from "node:path";
import { Mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { assert, assertEquals } from "./assert.ts";
import { storeContents, tempDir, writeTree } from "./mirror_helpers.ts";

Deno.test({
  name: "mirror --delete: a name that is not UTF-8 is skipped without holding back other deletes",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a" });
    // `caf\351.txt` (a file) and `d\351/x.txt` (a directory with a file).
    const made = await new Deno.Command("sh", {
      args: [
        "-c",
        `printf x > "$1/$(printf 'caf\\351.txt')" && mkdir "$1/$(printf 'd\\351')" && ` +
        `printf y > "$1/$(printf 'd\\351')/x.txt"`,
        "sh",
        src,
      ],
    }).output();
    assert(made.success, "the Latin-1 names were made");
    const store = new FsStore(join(w.dir, "bucket"));
    for (const key of ["old.txt", "caf\uFFFD.txt", "d\uFFFD/x.txt"]) {
      await store.put(key, new TextEncoder().encode(key));
    }
    await using m = await Mirror.open({
      sources: [src],
      target: store,
      statePath: join(w.dir, "s.db"),
      delete: true,
    });
    const report = await m.run();
    assertEquals(report.deletesSkipped, undefined, JSON.stringify(report));
    assertEquals(report.deletedKeys, ["old.txt"]);
    assertEquals(report.extra, 2);
    assertEquals(
      report.failed.map((f) => [f.path.slice(src.length + 1), f.untilChanged ?? false]).sort(),
      [["caf\uFFFD.txt", true], ["d\uFFFD", true]],
    );
    assert(report.failed.every((f) => f.error.includes("not valid UTF-8")), JSON.stringify(report));
    assertEquals(await storeContents(store), {
      "a.txt": "a",
      "caf\uFFFD.txt": "caf\uFFFD.txt",
      "d\uFFFD/x.txt": "d\uFFFD/x.txt",
    });
  },
});

Deno.test({
  name: "mirror --exclude: a name that is not UTF-8 left out by the filters is not reported",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    // `a\uFFFD.txt` (valid UTF-8) beside `a\351.txt`, which reads as it;
    // `b\351.txt` alone, which names no file as read.
    await writeTree(src, { "a\uFFFD.txt": "valid", "c.txt": "c" });
    const made = await new Deno.Command("sh", {
      args: [
        "-c",
        `printf x > "$1/$(printf 'a\\351.txt')"; printf y > "$1/$(printf 'b\\351.txt')"`,
        "sh",
        src,
      ],
    }).output();
    assert(made.success, "the Latin-1 names were made");
    const store = new FsStore(join(w.dir, "bucket"));
    await using m = await Mirror.open({
      sources: [src],
      target: store,
      statePath: join(w.dir, "s.db"),
      exclude: ["^[ab]"],
    });
    const report = await m.run();
    // The way out the failure names works: nothing is reported.
    assertEquals(report.failed, []);
    assertEquals(await storeContents(store), { "c.txt": "c" });
  },
});
