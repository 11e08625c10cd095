/**
 * `vc get PATH DEST` and `vc repo get ID --to DEST` refuse a DEST under a
 * file (`out.csv/a.csv`, a file where one of its directories belongs)
 * before they download: it was found only at the copy out, once the whole
 * content was in the cache (a GB's wait to be told so). The cache they use
 * here starts empty, and stays so.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

/** The files under `dir` (none when it does not exist). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (at: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(at)];
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return;
      throw e;
    }
    for (const e of entries) {
      if (e.isDirectory) walk(join(at, e.name));
      else if (Deno.statSync(join(at, e.name)).size === 4) out.push(join(at, e.name));
    }
  };
  walk(dir);
  return out;
}

Deno.test("vc get / vc repo get --to: a file where DEST's directory belongs is refused before the download", async () => {
  await withWorkspace(async (dir, _process, inProcess) => {
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
    await Deno.writeTextFile(join(dir, "afile"), "");
    const bucket = { VC_BUCKET: join(dir, "bucket") };
    ok(await inProcess(["add", "/a.csv", "a.csv"], bucket), "add");
    const repo = { VC_REPO: `file://${join(dir, "repo")}` };
    ok(await inProcess(["repo", "init"], repo), "init");
    const id = ok(await inProcess(["repo", "add", "/data/a.csv", "a.csv"], repo), "add").stdout
      .trim();
    const cache = join(dir, "fresh-cache");
    for (
      const [args, env] of [
        [["get", "/a.csv", "afile/sub/a.csv"], bucket],
        [["repo", "get", id, "--to", "afile/sub/a.csv"], repo],
      ] as const
    ) {
      const r = await inProcess([...args], { ...env, VC_CACHE_DIR: cache });
      assertEquals(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assertStringIncludes(
        r.stderr,
        `cannot write ${join(dir, "afile", "sub", "a.csv")}: a file is where one of its ` +
          `directories belongs: ${join(dir, "afile")}`,
      );
      assertEquals(filesUnder(cache), [], `${args.join(" ")}: downloaded first`);
    }
  });
});
