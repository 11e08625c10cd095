/**
 * A directory repository whose SQLite catalog path holds no file: a symbolic
 * link to /dev/null, a FIFO or a directory. SQLite read /dev/null as an
 * empty database, so `ls` said the catalog had no vc schema and advised a
 * restore, and `restore --force` then failed as "internal error: disk I/O
 * error"; a FIFO was a bare "disk I/O error". Each is now refused on open,
 * naming what is there, and the restore the message advises, once it is
 * moved aside, rebuilds the catalog.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { join } from "node:path";

Deno.test({
  name: "repo commands refuse a SQLite catalog that is a device, a FIFO or a directory",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await using ws = await CliWorkspace.create();
    const repo = `file://${ws.path("repo")}`;
    const env = { VC_REPO: repo };
    await ws.write("f.csv", "x\n");
    assertEquals((await ws.run(["repo", "init"], env)).code, 0);
    assertEquals((await ws.run(["repo", "add", "/p.csv", "f.csv"], env)).code, 0);
    const backup = await ws.run(["repo", "backup"], env);
    assertEquals(backup.code, 0, backup.stderr);
    const snapshot = backup.stdout.trim();
    const catalog = join(ws.path("repo"), ".vc~repo.sqlite");
    await Deno.rename(catalog, ws.path("aside.sqlite"));

    const make: [string, () => Promise<void>][] = [
      ["a device", () => Deno.symlink("/dev/null", catalog)],
      ["a FIFO", async () => {
        const made = await new Deno.Command("mkfifo", { args: [catalog] }).output();
        assertEquals(made.code, 0);
      }],
      ["a directory", () => Deno.mkdir(catalog)],
    ];
    for (const [kind, create] of make) {
      await create();
      for (const args of [["repo", "ls"], ["repo", "restore", snapshot, "--force"]]) {
        const run = await ws.run(args, env);
        assertEquals(run.code, 1, `${kind} ${args.join(" ")}: ${run.stderr}`);
        assertStringIncludes(run.stderr, `SQLite catalog ${catalog} is ${kind}, not a file`);
      }
      await Deno.remove(catalog);
    }
    const restored = await ws.run(["repo", "restore", snapshot], env);
    assertEquals(restored.code, 0, restored.stderr);
    assertStringIncludes((await ws.run(["repo", "ls"], env)).stdout, "/p.csv");
  },
});
