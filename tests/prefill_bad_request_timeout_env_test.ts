// A malformed VC_REQUEST_TIMEOUT is a setting error of the whole run, checked
// before anything is fetched (as a malformed VC_RANGE_SIZE or
// VC_CACHE_TIMEOUT is): not the same failure repeated for every item that
// needs the store, which in a CI log of thousands reads as a store problem.
import { withWorkspace } from "./cli_process.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { join } from "../src/path.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("prefill: a malformed VC_REQUEST_TIMEOUT fails the run once, before any item", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  for (const k of ["x1", "x2", "x3"]) await fake.putObject("b", k, k);
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "list.txt"), "s3://b/x1\ns3://b/x2\ns3://b/x3\n");
    const env = {
      AWS_ENDPOINT_URL: fake.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      VC_REQUEST_TIMEOUT: "abc",
    };
    const r = await vc(["prefill", "--list", "list.txt", "--json"], env);
    assertEquals(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout) as { error?: { name: string; message: string } };
    assertEquals(doc.error?.name, "InvalidInputError", r.stdout);
    assertStringIncludes(doc.error!.message, 'VC_REQUEST_TIMEOUT="abc"');
    assertEquals(r.stderr.includes("prefill failed"), false, r.stderr);
    assertEquals(fake.stats.GetObject ?? 0, 0);
  });
});
