/**
 * `vc repo backup` and `vc repo restore` write their snapshot through a temp
 * directory in TMPDIR: one that cannot be made there (a TMPDIR that does not
 * exist, or is a file) is an error naming TMPDIR, the cure. It read
 * `vc: No such file or directory (os error 2): tmpdir`, naming neither.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

Deno.test("repo backup and restore: a TMPDIR where no temp directory can be made is named", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_scratch_tmpdir_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    {
      await using repo = await Repository.init(uri);
      await repo.add("/a.txt", new TextEncoder().encode("a"));
      await repo.backup(join(dir, "b.jsonl.gz"));
    }
    await Deno.writeTextFile(join(dir, "file"), "not a directory");
    for (const tmpdir of [join(dir, "missing"), join(dir, "file")]) {
      for (
        const args of [
          ["repo", "backup", join(dir, "new.jsonl.gz"), "--repo", uri],
          ["repo", "restore", join(dir, "b.jsonl.gz"), "--repo", uri, "--force"],
        ]
      ) {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", ...PERMISSION_FLAGS, CLI, ...args],
          env: { TMPDIR: tmpdir, HOME: dir, NO_COLOR: "1" },
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stderr = new TextDecoder().decode(out.stderr);
        assertEquals(out.code, 1, stderr);
        // vc's permissions do not let it read TMPDIR's value, only name it.
        assertStringIncludes(stderr, "cannot make a temp directory in TMPDIR: ");
        assertStringIncludes(stderr, "set TMPDIR to a directory that exists");
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
