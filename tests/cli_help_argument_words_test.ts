/**
 * A help page explains the argument words its usage line names, and only
 * those: `vc versions --help` said "VERSION is MAJOR.MINOR.PATCH" of a
 * command that takes no VERSION, and `vc add --help` / `vc update --help`
 * said it of a flag value their usage calls V. The pages that take a
 * VERSION say it may be a pre-release (`vc path PATH 2.0.0-rc.1` reads
 * one), and `vc versions` names the order it lists in: semver's, not the
 * order of publishing (a 1.x patch published after 2.0.0 lists below it).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { COMMANDS } from "../src/cli/command_table.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

async function helpDoc(name: string): Promise<{ usage: string; description: string }> {
  const io = memoryIo();
  assertEquals(await runCli([...name.split(" "), "--help", "--json"], io), 0, io.stderr());
  return JSON.parse(io.stdout());
}

Deno.test("vc CMD --help: an argument word explained (`X is …`) is one its usage names", async () => {
  for (const { name } of COMMANDS) {
    const { usage, description } = await helpDoc(name);
    for (const [, word] of description.matchAll(/\b([A-Z][A-Z_]+) is\b/g)) {
      assert(
        new RegExp(`\\b${word}\\b`).test(usage),
        `vc ${name} --help explains ${word}, which its usage (${usage}) does not take`,
      );
    }
  }
});

Deno.test("vc path/cat/get/path-remote --help: VERSION may be a pre-release", async () => {
  for (const name of ["path", "cat", "get", "path-remote"]) {
    const { usage, description } = await helpDoc(name);
    assertStringIncludes(usage, "VERSION", name);
    assertStringIncludes(description.replace(/\s+/g, " "), "pre-release", name);
  }
});

Deno.test("vc versions: its help names the order it lists in, semver's", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_versions_order_help_" }));
  try {
    const bucket = join(dir, "bucket");
    await Deno.mkdir(join(bucket, "foo"), { recursive: true });
    // Published in this order: 2.0.0's release candidate, 2.0.0, then a 1.x patch.
    for (const v of ["1.0.0", "2.0.0-rc.1", "2.0.0", "1.0.1"]) {
      await Deno.writeTextFile(join(bucket, "foo", `bar.${v}.csv`), v);
    }
    const env = {
      HOME: join(dir, "home"),
      VC_BUCKET: pathToFileURL(bucket).href,
      VC_CACHE_DIR: join(dir, "cache"),
    };
    const io = memoryIo({ cwd: dir, env });
    assertEquals(await runCli(["versions", "/foo/bar.csv"], io), 0, io.stderr());
    assertEquals(io.stdout(), "1.0.0\n1.0.1\n2.0.0-rc.1\n2.0.0\n");
    const { description } = await helpDoc("versions");
    const flat = description.replace(/\s+/g, " ");
    assert(!flat.includes("oldest first"), flat);
    assertStringIncludes(flat, "semver order");
    assertStringIncludes(flat, "2.0.0-rc.1 < 2.0.0");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
