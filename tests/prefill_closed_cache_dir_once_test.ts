/**
 * A CI cache restored as another user (a runner's helper extracting it as
 * root, the job running as a user of its own): the cache dir vc made private
 * (mode 700) cannot be entered, and a prefill failed every item with the
 * same long line (`cannot read the records in …: this user may not enter
 * …`), 20 of them in the log, then a count. As for a cache dir that cannot
 * be written, the first item says why and the others of its store refer to
 * it, as one line.
 *
 * Runs `vc` as user `nobody` with `setpriv`: ignored unless root.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { forgetRecords } from "../src/cache/entry_records.ts";
import { asNobody, cachedByRoot, canRunAsNobody } from "./as_nobody.ts";

Deno.test({
  name: "prefill: a cache dir this user may not enter is said once, its other items one line " +
    "(ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-prefill-closed-cache-dir-" });
    try {
      const { cacheDir } = await cachedByRoot(dir);
      const uris: string[] = [];
      for (let i = 0; i < 30; i++) {
        const file = join(dir, `f${i}.bin`);
        await Deno.writeTextFile(file, `v${i}`);
        await Deno.chmod(file, 0o644);
        uris.push(pathToFileURL(file).href);
      }
      const list = join(dir, "list.txt");
      await Deno.writeTextFile(list, uris.join("\n") + "\n");
      await Deno.chmod(list, 0o644);
      await Deno.chmod(dir, 0o755);
      await Deno.chmod(cacheDir, 0o700);
      const out = await asNobody(dir, {
        vc: ["prefill", "--list", list, "--cache-dir", cacheDir, "--concurrency", "1"],
      });
      assertEquals(out.code, 1, out.stderr);
      const lines = out.stderr.trimEnd().split("\n");
      // Said at length once, naming the directory.
      const long = lines.filter((l) => l.includes("this user may not enter"));
      assertEquals(long.length, 1, out.stderr);
      assertStringIncludes(long[0]!, cacheDir);
      // The other 29 items as one line referring to it.
      const rest = lines.filter((l) => /^vc: prefill failed: 29 items \(/.test(l));
      assertEquals(rest.length, 1, out.stderr);
      assertStringIncludes(
        rest[0]!,
        `the cache dir ${cacheDir} cannot be entered (the failure of `,
      );
      assertStringIncludes(lines.at(-1)!, "30 of 30 items failed");
      assert(!out.stderr.includes("more failures"), out.stderr);
    } finally {
      forgetRecords();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
