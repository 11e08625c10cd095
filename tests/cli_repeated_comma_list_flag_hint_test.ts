/**
 * `vc repo add /x.csv x.csv --tag raw --tag day` (repeated, as git and docker
 * take such flags) said only "--tag was given more than once". A flag whose
 * value is a comma-separated list (`--tag`, `--any`, `--all`, `--exclude`)
 * now says how to give them, with the values given; other flags are unchanged.
 */
import { parseCommandArgs } from "../src/cli/args.ts";
import { UsageError } from "../src/cli/errors.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";

Deno.test("args: a repeated comma-list flag's error says to give the values in one", () => {
  const spec = {
    command: "repo add",
    options: {
      tag: { type: "string" as const, valueName: "T,U", description: "tags" },
      manifest: { type: "string" as const, valueName: "FILE", description: "manifest" },
    },
    positionals: [],
    required: 0,
  };
  const e = assertThrows(
    () => parseCommandArgs(["--tag", "raw", "--tag=day,x"], spec),
    UsageError,
  );
  assertEquals(e.message, "--tag was given more than once");
  assertEquals(e.hint, "give them in one --tag, comma-separated: --tag raw,day,x");
  const other = assertThrows(
    () => parseCommandArgs(["--manifest", "a", "--manifest", "b"], spec),
    UsageError,
  );
  assertEquals(other.hint, undefined);
});

Deno.test("vc repo find --any a --any b: exit 2 with the comma-separated form", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const io = memoryIo({ cwd: dir, env: { HOME: dir, VC_REPO: `file://${dir}/repo` } });
    assertEquals(await runCli(["repo", "find", "--any", "a", "--any", "b"], io), 2);
    assertStringIncludes(io.stderr(), "--any was given more than once");
    assertStringIncludes(io.stderr(), "comma-separated: --any a,b");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
