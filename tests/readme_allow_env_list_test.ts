/**
 * The README's prefill section says which variables a project's own
 * `--allow-env=…` list must include for `vc` to read its settings. Run with
 * exactly that list (and the AWS SDK's `AWS_*`), `vc` must not warn that a
 * variable of its own was left out: the README named `XDG_CACHE_HOME` but
 * not `XDG_CONFIG_HOME`, which the warning itself asks for, so a task
 * written from the README still got the warning and lost the user config
 * file's directory.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { prefillChild, prefillListDir } from "./prefill_child.ts";
import { tempDir } from "./versioned_helpers.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The variables of the README's sentence "an `--allow-env=…` list must include …". */
async function readmeList(): Promise<string[]> {
  const readme = (await Deno.readTextFile(join(ROOT, "README.md"))).replace(/\s*\n\s*/g, " ");
  const m = readme.match(/an `--allow-env=…` list must include (.*?), or vc takes/);
  assert(m !== null, "the README's --allow-env sentence");
  return [...m[1]!.matchAll(/`([A-Z_*]+)`/g)].map((v) => v[1]!);
}

Deno.test("README: the --allow-env list it advises leaves no vc variable unread", async () => {
  const names = await readmeList();
  assert(names.includes("VC_*"), names.join(","));
  await using tmp = await tempDir();
  const dir = tmp.path;
  await prefillListDir(dir);
  const out = await prefillChild(dir, [
    "--allow-net",
    "--allow-read",
    "--allow-write",
    `--allow-env=${[...names, "AWS_*"].join(",")}`,
    "--allow-sys",
    "--no-prompt",
  ]);
  assertEquals(out.code, 0, out.stderr);
  assertEquals(out.stderr.includes("cannot read"), false, out.stderr);
});
