/**
 * A store → local mirror with `--target-prefix SUB` where SUB (or a
 * directory on its way) is a symbolic link inside TARGET: refused up front,
 * naming the link. Before, the link was followed as if it were the target:
 * keys were written into the directory it points to, outside TARGET, and
 * with `--delete` that directory's own files were deleted, though a store →
 * local mirror "never writes or deletes through a symbolic link to a
 * directory inside the target" (a checkout or an unpacked archive may plant
 * `data -> ~`).
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { fakeBackend, prefixToLocal, tempDir, treeContents } from "./mirror_helpers.ts";

const enc = new TextEncoder();

for (const prefix of ["sub", "real/sub"]) {
  Deno.test({
    name: `mirror (store → local): --target-prefix ${prefix} through a link inside the target ` +
      "is refused, and nothing outside is written or deleted",
    ignore: Deno.build.os === "windows", // symlinks need privileges there
    async fn() {
      await using b = await fakeBackend();
      await using w = await tempDir();
      await b.store.put("p/new.txt", enc.encode("from the store"));
      const outside = join(w.dir, "outside");
      await Deno.mkdir(outside);
      await Deno.writeTextFile(join(outside, "keep.txt"), "not the mirror's");
      const out = join(w.dir, "out");
      await Deno.mkdir(join(out, "real"), { recursive: true });
      const link = join(out, ...prefix.split("/"));
      await Deno.symlink(outside, link);
      for (const dryRun of [true, false]) {
        const error = await assertRejects(
          () =>
            mirror(prefixToLocal(b.store, w.dir, { targetPrefix: prefix, delete: true, dryRun })),
          InvalidInputError,
        );
        assertStringIncludes(error.message, `${link} is a symbolic link`);
      }
      assertEquals(await treeContents(outside), { "keep.txt": "not the mirror's" });
      assertEquals(Deno.lstatSync(link).isSymlink, true, "the link is left as it was");
    },
  });
}

Deno.test({
  name: "vc mirror STORE DIR --target-prefix LINK: exit 1, naming the link; a real one works",
  ignore: Deno.build.os === "windows",
  async fn() {
    await using ws = await CliWorkspace.create();
    await ws.write("bucket/a.txt", "a");
    await ws.write("outside/mine.txt", "mine");
    await Deno.mkdir(ws.path("out"));
    await Deno.symlink(ws.path("outside"), ws.path("out/data"));
    const r = await ws.run(["mirror", ws.bucket, "out", "--target-prefix", "data", "--delete"]);
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, `${ws.path("out/data")} is a symbolic link`);
    assertEquals(await treeContents(ws.path("outside")), { "mine.txt": "mine" });
    // The link's directory itself, given as TARGET, is the user's choice.
    const ok = await ws.run(["mirror", ws.bucket, "out/data/", "--delete"]);
    assertEquals(ok.code, 0, ok.stderr);
    assertEquals(await treeContents(ws.path("outside")), { "a.txt": "a" });
  },
});
