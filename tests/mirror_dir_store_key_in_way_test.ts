/**
 * Local → `file://` store mirror without `--delete`, after a file became a
 * directory of the same name (or the reverse) between runs. A directory
 * store cannot hold `x` and `x/z` at once, so the new file is refused: the
 * line named it and why, but not the way out, and a `--watch` repeated it at
 * every retry. It now says that `--delete` removes the old key in its way
 * (or to leave the file out with `--exclude`); with `--delete` the same run
 * mirrors it.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { tempDir } from "./mirror_helpers.ts";

for (const shape of ["file became a directory", "directory became a file"] as const) {
  Deno.test(`mirror to a file:// store: a ${shape} without --delete says --delete mends it`, async () => {
    await using tmp = await tempDir();
    const src = join(tmp.dir, "src");
    const store = join(tmp.dir, "store");
    await Deno.mkdir(store);
    await Deno.mkdir(join(src, "d"), { recursive: true });
    if (shape === "file became a directory") await Deno.writeTextFile(join(src, "x"), "file\n");
    else {
      await Deno.mkdir(join(src, "x"));
      await Deno.writeTextFile(join(src, "x", "z"), "below\n");
    }
    await Deno.writeTextFile(join(src, "d", "ok.txt"), "ok\n");
    const options = {
      sources: [src],
      target: pathToFileURL(store).href,
      statePath: join(tmp.dir, "s.db"),
    };
    assertEquals((await mirror(options)).failed, []);
    await Deno.remove(join(src, "x"), { recursive: true });
    if (shape === "file became a directory") {
      await Deno.mkdir(join(src, "x"));
      await Deno.writeTextFile(join(src, "x", "z"), "below\n");
    } else await Deno.writeTextFile(join(src, "x"), "file\n");
    await Deno.writeTextFile(join(src, "d", "ok.txt"), "ok again\n");
    const report = await mirror(options);
    assertEquals(report.failed.length, 1, JSON.stringify(report.failed));
    const line = report.failed[0]!.error;
    assertStringIncludes(line, "cannot hold both");
    assertStringIncludes(line, "--delete");
    assertStringIncludes(line, "--exclude");
    // The rest went ahead.
    assertEquals(await Deno.readTextFile(join(store, "d", "ok.txt")), "ok again\n");
    // As the line says: --delete mirrors it in the same run.
    const mended = await mirror({ ...options, delete: true });
    assertEquals(mended.failed, []);
    const key = shape === "file became a directory" ? join(store, "x", "z") : join(store, "x");
    assertEquals((await Deno.stat(key)).isFile, true);
  });
}
