/**
 * Every `VC_*` variable vc reads is named by some help page. `VC_IMMUTABLE_BUCKETS`,
 * `VC_LOCK_WAIT`, `VC_S3_PATH_STYLE` and `VC_CONFIG` have no flag, so no flag's
 * line named them and `vc --help` (nor any command's) never said they exist.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { COMMANDS } from "../src/cli/command_table.ts";
import { assert, assertEquals } from "./assert.ts";

/** The `VC_*` names read in src/ (as string literals in code: `env("VC_X")`). */
async function variablesRead(): Promise<Set<string>> {
  const found = new Set<string>();
  const dirs = [new URL("../src/", import.meta.url)];
  // Bounded by the source tree: each directory is listed once.
  while (dirs.length > 0) {
    const dir = dirs.pop()!;
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) dirs.push(new URL(`${e.name}/`, dir));
      else if (e.name.endsWith(".ts")) {
        const text = await Deno.readTextFile(new URL(e.name, dir));
        // Code only: doc examples invent names (`VC_SURELY_NOT_SET_123`).
        const code = text.split("\n").filter((l) => !/^\s*(\*|\/\/)/.test(l)).join("\n");
        for (const m of code.matchAll(/"(VC_[A-Z0-9_]+)"/g)) found.add(m[1]!);
      }
    }
  }
  return found;
}

async function helpText(args: string[]): Promise<string> {
  const io = memoryIo();
  assertEquals(await runCli(args, io), 0, io.stderr());
  return io.stdout();
}

Deno.test("cli help: every VC_* variable vc reads is named in a help page", async () => {
  const pages = [await helpText(["--help"])];
  for (const c of COMMANDS) pages.push(await helpText([...c.name.split(" "), "--help"]));
  const all = pages.join("\n");
  const read = await variablesRead();
  assert(read.has("VC_BUCKET") && read.has("VC_S3_PATH_STYLE"), [...read].join());
  const missing = [...read].filter((name) => !new RegExp(`\\b${name}\\b`).test(all));
  assertEquals(missing, []);
  // The settings without a flag are on the main page, where the others are.
  const main = pages[0]!;
  for (const name of ["VC_IMMUTABLE_BUCKETS", "VC_LOCK_WAIT", "VC_S3_PATH_STYLE", "VC_CONFIG"]) {
    assert(main.includes(name), name);
  }
  assert(main.includes("AWS_ENDPOINT_URL"), "the S3 endpoint's variable");
});
