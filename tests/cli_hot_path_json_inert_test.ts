/**
 * `vc path --json` prints the same bytes whether the lean entry answers it
 * (a warm hit) or the full command line does (a cold miss). The full one
 * writes the controls JSON leaves raw (a bidirectional override such as
 * U+202E in a path's name) as `\u202e` escapes, inert on a terminal; the lean
 * one wrote them raw, so the second `vc path --json` of the same asset could
 * reverse the rest of a terminal's line, and differed from the first.
 */
import { hotPath } from "../src/cli/hot_path.ts";
import { memoryIo } from "../src/cli/io.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc path --json: a warm hit's JSON is the full command's, controls escaped", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_BUCKET: ws.bucket };
  const name = "/bidi\u202Ex.csv";
  // Pinned by hand or before `vc add` refused such a name: it is still read.
  await ws.write("bucket/bidi\u202Ex.1.0.0.csv", "a");
  await ws.write("versioned_assets.json", JSON.stringify({ [name]: "1.0.0" }) + "\n");

  // Cold: the full command downloads and prints.
  const cold = await ws.run(["path", name, "--json"], env);
  assertEquals(cold.code, 0, cold.stderr);
  assert(!cold.stdout.includes("\u202E"), cold.stdout);
  assertEquals(cold.json<{ path: string }>().path, name);

  // Warm: the lean entry answers, with the same bytes.
  const io = memoryIo({ env: { ...ws.env, ...env }, cwd: ws.dir });
  assertEquals(await hotPath(["path", name, "--json"], io), 0, io.stderr());
  assertEquals(io.stdout(), cold.stdout);
});
