/**
 * Deno reads a command-line argument that is not UTF-8 with U+FFFD in place
 * of each bad byte. `vc add $'/caf\xe9.csv' a.csv` (a Latin-1 terminal)
 * published and pinned `/caf\ufffd.csv`, a path the user never typed, for
 * good; `vc get /a.csv $'\xff.txt'` wrote a file of another name. Any argument
 * holding U+FFFD is now refused as a usage error (exit 2), naming it, before
 * anything is read or written; the lean `vc path` entry does not answer it.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { childEnv, ok, withWorkspace } from "./cli_process.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

/** `vc ARGS` where `shellArgs` are shell words (printf expands `\ooo` to raw bytes). */
async function vcRaw(dir: string, words: string[]): Promise<{ code: number; stderr: string }> {
  const script = `exec "$@" ${words.map((w) => `"$(printf '${w}')"`).join(" ")}`;
  const { code, stderr } = await new Deno.Command("/bin/sh", {
    args: ["-c", script, "sh", Deno.execPath(), "run", ...PERMISSION_FLAGS, CLI],
    cwd: dir,
    clearEnv: true,
    env: childEnv(dir, { VC_BUCKET: pathToFileURL(join(dir, "bucket")).href }),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

Deno.test({
  name: "vc: an argument that is not UTF-8 is refused, not taken as another name",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withWorkspace(async (dir, vc) => {
      await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
      ok(await vc(["add", "/a.csv", "a.csv"]), "add");
      const manifest = await Deno.readTextFile(join(dir, "versioned_assets.json"));
      const bucket = () => [...Deno.readDirSync(join(dir, "bucket"))].map((e) => e.name).sort();
      const published = bucket();

      const add = await vcRaw(dir, ["add", "/caf\\351.csv", "a.csv"]);
      assertEquals(add.code, 2, add.stderr);
      assertStringIncludes(add.stderr, "/caf\\ufffd.csv");
      assertStringIncludes(add.stderr, "UTF-8");
      assertEquals(await Deno.readTextFile(join(dir, "versioned_assets.json")), manifest);
      assertEquals(bucket(), published);

      const get = await vcRaw(dir, ["get", "/a.csv", "\\377.txt"]);
      assertEquals(get.code, 2, get.stderr);
      assertEquals(await Deno.lstat(join(dir, "\ufffd.txt")).catch(() => undefined), undefined);

      // Warm, then asked with a damaged VERSION: the lean entry does not answer either.
      ok(await vc(["path", "/a.csv"]), "path");
      const path = await vcRaw(dir, ["path", "/a.csv", "1.0.0\\377"]);
      assertEquals(path.code, 2, path.stderr);
      assertStringIncludes(path.stderr, 'Run "vc path --help"');
    });
  },
});

Deno.test("runCli: an argument holding U+FFFD is a usage error, in JSON too", async () => {
  const io = memoryIo();
  assertEquals(await runCli(["ls", "--manifest", "m\ufffd.json", "--json"], io), 2);
  const doc = JSON.parse(io.stdout()) as { error: { name: string; message: string } };
  assertEquals(doc.error.name, "UsageError");
  assertStringIncludes(doc.error.message, "m\\ufffd.json");
});
