/**
 * `vc sync DEST` refuses an entry whose directory in DEST is a symbolic link
 * (versioned_sync_links_test.ts), but it looked only before the download:
 * a directory swapped for a link to somewhere else while the entry
 * downloaded or was checked (someone else who may write DEST, a shared
 * directory) had the copy renamed into place through the link, outside
 * DEST. The directories are now looked at again once the copy is written,
 * before its rename: the entry fails naming the link, and nothing is left
 * where it points. A store → local `vc mirror` likewise.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

Deno.test({
  name: "sync: a directory of DEST swapped for a link during the copy is refused, nothing outside",
  ignore: Deno.build.os === "windows", // symlinks need privileges there
  async fn() {
    await using ws = await workspace();
    await ws.vc.add("/demo/a.csv", await writeFile(ws.dir, "a.csv", "a\n"));
    await ws.vc.add("/other/b.csv", await writeFile(ws.dir, "b.csv", "b\n"));
    const out = join(ws.dir, "out");
    const outside = join(ws.dir, "outside");
    await Deno.mkdir(join(out, "demo"), { recursive: true });
    await Deno.mkdir(outside);
    let swapped = false;
    const report = await ws.vc.syncSettled(out, {
      onProgress: (p) => {
        // Once the entry passed the look at its directories, before its copy.
        if (!swapped && p.current === "/demo/a.csv" && p.step !== undefined) {
          swapped = true;
          Deno.renameSync(join(out, "demo"), join(out, "demo-was"));
          Deno.symlinkSync(outside, join(out, "demo"));
        }
      },
    });
    assert(swapped, "the swap happened");
    assertEquals([...Deno.readDirSync(outside)], [], "nothing written through the link");
    assertEquals(report.failed.map((f) => f.path), ["/demo/a.csv"]);
    assertStringIncludes(
      (report.failed[0]!.error as Error).message,
      `${join(out, "demo")} is a symbolic link`,
    );
    assertEquals(report.copied.map((c) => c.path), ["/other/b.csv"]);
    assert(Deno.lstatSync(join(out, "demo")).isSymlink, "the link is left as it was");
  },
});

Deno.test({
  name:
    "mirror store → local: a directory swapped for a link during a download is refused, nothing outside",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "mirror_link_swapped_in_" });
    try {
      await using store = new MemoryStore();
      await store.put("demo/a.csv", new TextEncoder().encode("a\n"));
      await store.put("other/b.csv", new TextEncoder().encode("b\n"));
      const out = join(dir, "out");
      const outside = join(dir, "outside");
      await Deno.mkdir(join(out, "demo"), { recursive: true });
      await Deno.mkdir(outside);
      let swapped = false;
      const report = await mirror({
        sources: [store],
        target: out,
        cacheDir: join(dir, "cache"),
        // Told once the key passed the look at its directories, before its download.
        onAction: (a) => {
          if (!swapped && a.key === "demo/a.csv") {
            swapped = true;
            Deno.renameSync(join(out, "demo"), join(out, "demo-was"));
            Deno.symlinkSync(outside, join(out, "demo"));
          }
        },
      });
      assert(swapped, "the swap happened");
      assertEquals([...Deno.readDirSync(outside)], [], "nothing written through the link");
      assertEquals(report.failed.map((f) => f.key), ["demo/a.csv"]);
      assertStringIncludes(report.failed[0]!.error, `${join(out, "demo")} is a symbolic link`);
      assertEquals(await Deno.readTextFile(join(out, "other/b.csv")), "b\n");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
