/**
 * `vc prefill --help` shows `deno task prefill`, which runs only where a
 * deno.json has that task: run as written in a project of one's own it failed
 * ("deno task couldn't find deno.json"). The example now says which task to
 * add, and works as written once it is there, with `vc` on the PATH.
 */
import { assertEquals } from "./assert.ts";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { prefill } from "../src/cli/prefill_command.ts";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { childEnv } from "./cli_process.ts";
import { shellWord } from "../src/shell_word.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

Deno.test("vc prefill --help: the deno task example works in a project with the task it names", async () => {
  const example = prefill.examples.find((e) => e.startsWith("deno task")) ?? "";
  const [command, comment = ""] = example.split(/\s+#\s+/);
  const task = comment.match(/"prefill": "[^"]*"/)?.[0];
  assertEquals(typeof task, "string", `the example names the task to add: ${example}`);
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc-help-deno-task-" }));
  try {
    const bin = join(dir, "bin");
    const bucket = join(dir, "bucket");
    await Deno.mkdir(bin);
    await Deno.mkdir(bucket);
    await Deno.writeTextFile(
      join(bin, "vc"),
      `#!/bin/sh\nexec ${shellWord(Deno.execPath())} run ${PERMISSION_FLAGS.join(" ")} ${
        shellWord(CLI)
      } "$@"\n`,
      { mode: 0o755 },
    );
    await Deno.writeTextFile(join(bucket, "a.1.0.0.csv"), "a\n");
    await Deno.writeTextFile(join(dir, "versioned_assets.json"), `{ "/a.csv": "1.0.0" }\n`);
    await Deno.writeTextFile(join(dir, "deno.json"), `{ "tasks": { ${task} } }\n`);
    const run = await new Deno.Command("sh", {
      args: ["-c", command!],
      cwd: dir,
      clearEnv: true,
      env: childEnv(dir, {
        PATH: `${bin}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
        VC_BUCKET: pathToFileURL(bucket).href,
      }),
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assertEquals(run.code, 0, stderr);
    assertEquals(
      new TextDecoder().decode(run.stdout).split(";")[0],
      "prefill: 1 item: 1 fetched, 0 already cached, 0 failed",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
