/**
 * `vc cache ls` of two `s3://` keys that are Unicode twins (`café` with `é`
 * precomposed, NFC, and with `e` + a combining accent, NFD): the warning
 * named both escaped, but the table printed two rows `s3://b/café` that
 * looked the same, so a reader could not tell which row was which object.
 * Twin URIs are now shown with their non-ASCII characters escaped, as
 * `vc ls` shows twin manifest paths; `--json` keeps each URI exactly.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";

Deno.test("cli cache ls: s3:// keys that are Unicode twins are printed apart", async () => {
  await using s3 = await startFakeS3({ buckets: ["data"] });
  await using ws = await CliWorkspace.create();
  const keys = ["caf\u00e9", "cafe\u0301", "na\u00efve"];
  for (const key of keys) await s3.putObject("data", key, `${key}\n`);
  await withProcessEnv(s3.env, async () => {
    for (const key of keys) {
      const got = await ws.run(["cache", "get", `s3://data/${key}`, "--quiet"], s3.env);
      assertEquals(got.code, 0, got.stderr);
    }
    const ls = await ws.run(["cache", "ls"], s3.env);
    assertEquals(ls.code, 0, ls.stderr);
    const uris = ls.stdout.trim().split("\n").slice(1).map((line) => line.split(/\s+/)[0]).sort();
    // The twins escaped, the entry without a twin as it is.
    assertEquals(uris, [
      String.raw`s3://data/caf\u00e9`,
      String.raw`s3://data/cafe\u0301`,
      "s3://data/na\u00efve",
    ]);
    const json = (await ws.run(["cache", "ls", "--json"], s3.env)).json<{ uri: string }[]>();
    assert(json.some((e) => e.uri === "s3://data/cafe\u0301"), JSON.stringify(json));
  });
});
