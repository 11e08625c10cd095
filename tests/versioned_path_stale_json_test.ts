/**
 * `vc cache get --json` says `"stale": true, "staleReason", "validatedAt"`
 * when it served a cached copy it could not revalidate (the store
 * unreachable), but `vc path --json` of the same kind of copy (an `s3://`
 * override, which is revalidated as any cache entry is) printed
 * `{"path", "local"}` only: a script reading the JSON could not tell a copy
 * the store just confirmed from one a week old. Both now build those fields
 * with one helper, and `vc get PATH DEST --json` says it too.
 */
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { staleOnceStoreGone } from "./stale_json_run.ts";
import { withOverrideObject } from "./store_gone_run.ts";

Deno.test("vc path --json and vc get --json of a copy served with the store unreachable say stale", async () => {
  await using ws = await CliWorkspace.create();
  await withOverrideObject(ws, async (s3, env) => {
    const doc = await staleOnceStoreGone(ws, s3, ["path", "/x.csv"], env);
    assertEquals(doc.path, "/x.csv");
    const got = await ws.run(["get", "/x.csv", "out.csv", "--timeout", "0", "--json"], env);
    assertEquals(got.code, 0, got.stderr);
    const gotDoc = got.json<Record<string, unknown>>();
    assertEquals(gotDoc.dest, ws.path("out.csv"));
    assertEquals(gotDoc.stale, true, got.stdout);
    assertEquals(await ws.read("out.csv"), "dev copy\n");
  });
});
