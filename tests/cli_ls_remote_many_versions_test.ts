/**
 * `vc ls-remote` of a bucket where a path has hundreds of versions printed
 * every one of them on its row: a line of kilobytes per path, which wraps a
 * terminal into a screenful of version numbers and buries the other paths.
 * The text view now shows the newest versions and says how many older ones
 * there are and which command lists them; `--json` still has every version.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("ls-remote shows the newest versions of a path with many, --json all", async () => {
  await withWorkspace(async (dir, vc) => {
    const versions = Array.from({ length: 200 }, (_, i) => `${Math.floor(i / 10)}.${i % 10}.0`);
    for (const v of versions) await Deno.writeTextFile(join(dir, "bucket", `many.${v}.csv`), "v");
    await Deno.writeTextFile(join(dir, "bucket", "few.1.0.0.csv"), "f");
    await Deno.writeTextFile(join(dir, "bucket", "few.1.0.1.csv"), "f");
    const text = ok(await vc(["ls-remote"]), "ls-remote").stdout;
    const rows = text.trimEnd().split("\n");
    assertEquals(rows.length, 2, text);
    assertEquals(rows[0], "/few.csv   1.0.0, 1.0.1");
    assertEquals(
      rows[1],
      "/many.csv  190 older (vc versions /many.csv), 19.0.0, 19.1.0, 19.2.0, 19.3.0, 19.4.0, " +
        "19.5.0, 19.6.0, 19.7.0, 19.8.0, 19.9.0",
    );
    const json = JSON.parse(ok(await vc(["ls-remote", "--json"]), "--json").stdout);
    assertEquals(json[1], { path: "/many.csv", versions: versions });
    // `vc versions` still lists them all, lowest first.
    const all = ok(await vc(["versions", "/many.csv"]), "versions").stdout;
    assertStringIncludes(all, "0.0.0\n0.1.0\n");
    assertEquals(all.trimEnd().split("\n").length, 200);
  });
});
