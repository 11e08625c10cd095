/**
 * `vc get` and `vc repo get --to` name DEST when it cannot be written (a full
 * disk, a file where a directory belongs), as `vc sync` does: a bare
 * "No space left on device (os error 28)" says nothing of where.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc get / vc repo get --to: a DEST that cannot be written is named", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
    await Deno.writeTextFile(join(dir, "afile"), "");
    const bucket = { VC_BUCKET: join(dir, "bucket") };
    ok(await vc(["add", "/a.csv", "a.csv"], bucket), "add");
    const get = await vc(["get", "/a.csv", "afile/a.csv"], bucket);
    assertEquals(get.code, 1, get.stderr);
    assertStringIncludes(
      get.stderr,
      `cannot write ${join(dir, "afile", "a.csv")}: a file is where`,
    );

    const repo = { VC_REPO: `file://${join(dir, "repo")}` };
    ok(await vc(["repo", "init"], repo), "init");
    const id = ok(await vc(["repo", "add", "/data/a.csv", "a.csv"], repo), "add").stdout.trim();
    const repoGet = await vc(["repo", "get", id, "--to", "afile/a.csv"], repo);
    assertEquals(repoGet.code, 1, repoGet.stderr);
    assertStringIncludes(
      repoGet.stderr,
      `cannot write ${join(dir, "afile", "a.csv")}: a file is where`,
    );
  });
});

Deno.test("vc get / vc repo get --to: a FIFO at DEST is refused, not replaced by a file", async () => {
  await withWorkspace(async (dir, vc, inProcess) => {
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
    const fifo = join(dir, "fifo");
    await new Deno.Command("mkfifo", { args: [fifo] }).output();
    // The setup in-process (the test above runs it as the process); the gets
    // stay processes: one that opened the FIFO would wait for a reader.
    const bucket = { VC_BUCKET: join(dir, "bucket") };
    ok(await inProcess(["add", "/a.csv", "a.csv"], bucket), "add");
    const repo = { VC_REPO: `file://${join(dir, "repo")}` };
    ok(await inProcess(["repo", "init"], repo), "init");
    const id = ok(await inProcess(["repo", "add", "/data/a.csv", "a.csv"], repo), "add").stdout
      .trim();

    for (
      const [args, env] of [
        [["get", "/a.csv", "fifo"], bucket],
        [["repo", "get", id, "--to", "fifo"], repo],
      ] as const
    ) {
      const r = await vc([...args], env);
      assertEquals(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assertStringIncludes(r.stderr, `${fifo} is not a regular file`);
      assertEquals(Deno.lstatSync(fifo).isFifo, true, args.join(" "));
    }
    assertEquals([...Deno.readDirSync(dir)].filter((e) => e.name.includes("vc-tmp")), []);
  });
});
