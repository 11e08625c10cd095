/**
 * `vc mirror`: a directory deeper than the system opens (a path over
 * Linux's 4096 bytes, made with relative paths by a program that `cd`s down)
 * failed the walk with Deno's bare `File name too long (os error 36)`: no
 * word of what to do, and since a walk that cannot read a directory deletes
 * nothing, `--delete` held back every delete at every run without saying
 * how to get past it. The failure now says the path is too long and the
 * way out (leave it out with --exclude), and a watch says it once.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { tempDir, writeTree } from "./mirror_helpers.ts";

const NAME = "d".repeat(200);

Deno.test({
  name: "mirror: a directory whose path is too long to open says so, and how to leave it out",
  ignore: Deno.build.os !== "linux", // the path limit is Linux's 4096 bytes
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "ok.txt": "ok" });
    // 25 levels of 200-byte names: a path of over 5000 bytes, made below
    // the source one level at a time with relative paths.
    const made = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `Deno.chdir(${JSON.stringify(src)});
        for (let i = 0; i < 25; i++) { Deno.mkdirSync(${JSON.stringify(NAME)}); Deno.chdir(${
          JSON.stringify(NAME)
        }); }
        Deno.writeTextFileSync("deep.txt", "deep");`,
      ],
    }).output();
    assertEquals(made.code, 0, new TextDecoder().decode(made.stderr));
    const bucket = join(w.dir, "bucket");
    await Deno.mkdir(join(bucket, "x"), { recursive: true });
    await Deno.writeTextFile(join(bucket, "x", "old.txt"), "old");
    const statePath = join(w.dir, "s.db");
    const report = await mirror({
      sources: [src],
      target: `file://${bucket}`,
      statePath,
      delete: true,
    });
    assertEquals(report.failed.length, 1);
    const [f] = report.failed;
    assert(f!.path.startsWith(join(src, NAME)), f!.path);
    assertStringIncludes(f!.error, "path too long");
    assertStringIncludes(f!.error, "--exclude");
    assertEquals(f!.untilChanged, true);
    assertStringIncludes(report.deletesSkipped ?? "", "nothing was deleted");
    // The way out it names works: the deletes go ahead.
    const again = await mirror({
      sources: [src],
      target: `file://${bucket}`,
      statePath,
      delete: true,
      exclude: [`^${NAME}/`],
    });
    assertEquals([again.failed, again.deleted], [[], 1]);
  },
});
