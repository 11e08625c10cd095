/**
 * `vc ls-remote` of a bucket (or prefix) that holds no versioned asset, a
 * mistyped `s3://b/tema` for `s3://b/team` most likely, printed nothing and
 * exited 0, with no hint, where `vc versions` of a path without versions
 * says so. It now says so on stderr; stdout stays the (empty) list.
 */
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc ls-remote of a bucket without versioned assets says so on stderr", async () => {
  await using ws = await CliWorkspace.create();
  // A key that is no version of any path.
  await Deno.writeTextFile(`${ws.bucketDir}/notes.txt`, "x");
  const r = await ws.vc("ls-remote");
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.stdout, "");
  assert(r.stderr.includes("holds no versioned assets"), r.stderr);
  assert(r.stderr.includes(ws.bucket), r.stderr);
  // --json: the empty list and nothing else; --quiet: nothing at all.
  const json = await ws.vc("ls-remote", "--json");
  assertEquals(json.code, 0);
  assertEquals(JSON.parse(json.stdout), []);
  assertEquals(json.stderr, "");
  const quiet = await ws.vc("ls-remote", "--quiet");
  assertEquals([quiet.code, quiet.stdout, quiet.stderr], [0, "", ""]);
  // With a version there, no note.
  await Deno.writeTextFile(`${ws.bucketDir}/a.1.0.0.csv`, "x");
  const one = await ws.vc("ls-remote");
  assertEquals(one.stderr, "");
  assert(one.stdout.startsWith("/a.csv"), one.stdout);
});
