/**
 * `vc --help` listed the versioned-asset settings' variables and the AWS
 * ones, but not `VC_REPO`, `VC_SERVE_STORE`, `VC_SERVE_TOKEN_FILE`,
 * `VC_CACHE_URL` or `VC_CACHE_TOKEN`: a newcomer reading it could not tell
 * they exist (only each command's own help named its one). Every `VC_*`
 * variable the README documents is now named on the top-level help page.
 */
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { assert, assertEquals } from "./assert.ts";
import { misspelledVariables } from "../src/cli/env_spelling.ts";

Deno.test("vc --help names every VC_* variable the README documents", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const named = new Set(readme.match(/\bVC_[A-Z][A-Z0-9_]*[A-Z0-9]\b/g));
  // The misspellings the README shows `vc config` warning of are no variables.
  const typos = new Set(
    misspelledVariables((n) => named.has(n) ? "1" : undefined).map((t) => t.name),
  );
  const documented = [...named].filter((n) => !typos.has(n)).sort();
  assert(documented.includes("VC_REPO") && documented.length >= 15, documented.join(" "));
  const io = memoryIo();
  assertEquals(await runCli(["--help"], io), 0);
  const missing = documented.filter((name) => !new RegExp(`\\b${name}\\b`).test(io.stdout()));
  assertEquals(missing, []);
});
