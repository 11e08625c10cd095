/**
 * `--catalog sqlite:PATH` (or `VC_REPO_CATALOG`) naming the repository's own
 * SQLite catalog in another spelling than the marker's: `init --catalog
 * sqlite:./cat.sqlite` records `/dir/./cat.sqlite`, and every later command
 * given `--catalog sqlite:cat.sqlite` (the same file) was refused as "not the
 * repository's catalog", adding that someone may have changed the marker; so
 * was `sub/../cat.sqlite` and a symbolic link to the file. The paths are now
 * compared by the file they lead to; another file is still refused.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { checkRuntimeUrl } from "../src/repo/setup.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("repo: --catalog sqlite:PATH in another spelling of the marker's catalog opens it", async () => {
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "vc_repo_sqlite_catalog_spellings_" }),
  );
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const cli = async (...args: string[]) => {
      const io = memoryIo({ cwd: dir, env: { NO_COLOR: "1" } });
      const code = await runCli([...args, "--repo", uri], io);
      return { code, stdout: io.stdout(), stderr: io.stderr() };
    };
    // Absolute: the CLI reads a relative catalog path from the process's directory.
    assertEquals((await cli("repo", "init", "--catalog", `sqlite:${dir}/./cat.sqlite`)).code, 0);
    await Deno.mkdir(join(dir, "sub"));
    await Deno.symlink(join(dir, "cat.sqlite"), join(dir, "sub", "link.sqlite"));
    for (
      const spelling of [
        `sqlite:${dir}/./cat.sqlite`,
        `sqlite:${dir}/cat.sqlite`,
        `sqlite:${dir}//cat.sqlite`,
        `sqlite:${dir}/sub/../cat.sqlite`,
        `sqlite:${dir}/sub/link.sqlite`,
      ]
    ) {
      const ls = await cli("repo", "ls", "--catalog", spelling);
      assertEquals(ls.code, 0, `${spelling}: ${ls.stderr}`);
    }
    await Deno.writeTextFile(join(dir, "other.sqlite"), "");
    const other = await cli("repo", "ls", "--catalog", `sqlite:${dir}/other.sqlite`);
    assertEquals(other.code, 1, other.stderr);
    assertStringIncludes(other.stderr, "is not the repository's catalog");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo: --catalog sqlite:PATH through a linked directory matches before the file exists", async () => {
  // A restore rebuilding a lost catalog: no file yet, so only its directory
  // can say where the path leads (`/srv/vc` a link to `/data/vc`).
  const dir = await Deno.realPath(
    await Deno.makeTempDir({ prefix: "vc_repo_sqlite_catalog_spellings_" }),
  );
  try {
    await Deno.mkdir(join(dir, "data"));
    await Deno.symlink(join(dir, "data"), join(dir, "linked"));
    const ref = { kind: "sqlite" as const, path: join(dir, "data", "cat.sqlite"), host: "h" };
    checkRuntimeUrl(ref, `sqlite:${join(dir, "linked", "cat.sqlite")}`);
    assertThrows(
      () => checkRuntimeUrl(ref, `sqlite:${join(dir, "linked", "other.sqlite")}`),
      InvalidInputError,
      "is not the repository's catalog",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
