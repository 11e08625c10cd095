/**
 * A flag spelt as one of the command's arguments (`vc get /a.csv --dest
 * out.csv`, `vc cache get --uri s3://b/k`, `vc repo tag 7 --tag gold`) is
 * the first thing a newcomer types, as other tools take them so. It was
 * answered "unknown flag" with no way out, or with a wrong guess
 * (`vc cache-client put --file F` → "did you mean --filename?", which is
 * the name recorded for the upload, not the file to send). The hint now
 * says the value is an argument and where it goes, as it already did for
 * `--version` after `vc cat`. A typo of `--version` (`--verison`) gets that
 * hint too, and `vc repo find gold` says the tags go in `--any` / `--all`.
 * Run as the `vc` process, with the release permission flags.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { firstAsProcess, withWorkspace } from "./cli_process.ts";

Deno.test("a flag named as the command's argument says it is an argument", async () => {
  await withWorkspace(async (_dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess, 1);
    for (
      const [args, hint] of [
        [["get", "/a.csv", "--dest", "out.csv"], "DEST is an argument: vc get PATH DEST VERSION"],
        [["cache", "get", "--uri", "s3://b/k"], "URI is an argument: vc cache get URI"],
        [["repo", "tag", "7", "--tag", "gold"], "TAGS is an argument: vc repo tag TARGET TAGS"],
        [["repo", "get", "--id=7"], "ID is an argument: vc repo get ID"],
        [["add", "--path", "/a.csv", "a.csv"], "PATH is an argument: vc add PATH FILE"],
        [["sync", "--dest", "out"], "DEST is an argument: vc sync DEST"],
      ] as const
    ) {
      const r = await vc([...args]);
      const flag = args.find((a) => a.startsWith("--"))!.split("=")[0]!;
      assertEquals(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assertEquals(r.stdout, "");
      assertStringIncludes(r.stderr, `unknown flag ${flag} for`);
      assertStringIncludes(r.stderr, hint, args.join(" "));
      assert(!r.stderr.includes("did you mean"), `${args.join(" ")}: ${r.stderr}`);
    }
  });
});

Deno.test("the argument wins over a longer flag it starts (--file is FILE, not --filename)", async () => {
  await withWorkspace(async (_dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess, 1);
    const put = await vc(["cache-client", "put", "--file", "x.bin", "0123"]);
    assertEquals(put.code, 2, put.stderr);
    assertStringIncludes(put.stderr, "FILE is an argument: vc cache-client put ID FILE");
    assert(!put.stderr.includes("--filename"), put.stderr);
    const mirror = await vc(["mirror", "--source", "d", "file:///srv/x"]);
    assertEquals(mirror.code, 2, mirror.stderr);
    assertStringIncludes(mirror.stderr, "SOURCE is an argument: vc mirror SOURCE TARGET");
    // A real typo of a flag is still guessed.
    const typo = await vc(["cache-client", "put", "--filenme", "n", "0123", "x.bin"]);
    assertStringIncludes(typo.stderr, "did you mean --filename?");
  });
});

Deno.test("a typo of --version after a command points where a version goes", async () => {
  await withWorkspace(async (_dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess, 1);
    const path = await vc(["path", "/a.csv", "--verison", "1.0.0"]);
    assertEquals(path.code, 2, path.stderr);
    assertStringIncludes(path.stderr, "unknown flag --verison");
    assertStringIncludes(path.stderr, "VERSION is an argument: vc path PATH VERSION");
    const ls = await vc(["ls", "--versoin"]);
    assertEquals(ls.code, 2, ls.stderr);
    assertStringIncludes(ls.stderr, "vc's own version: vc --version");
    // The commands that publish one guess their own --version.
    const add = await vc(["add", "/a.csv", "a.csv", "--verison", "1.0.0"]);
    assertStringIncludes(add.stderr, "did you mean --version?");
  });
});

Deno.test("vc repo find with tags as arguments says where they go", async () => {
  await withWorkspace(async (_dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess, 2);
    const r = await vc(["repo", "find", "gold", "silver"]);
    assertEquals(r.code, 2, r.stderr);
    assertStringIncludes(r.stderr, 'repo find: unexpected arguments "gold" "silver"');
    assertStringIncludes(r.stderr, "vc repo find --any gold,silver");
    const tag = await vc(["repo", "find", "--tag", "gold"]);
    assertEquals(tag.code, 2, tag.stderr);
    assertStringIncludes(tag.stderr, "--any T,U");
  });
});
