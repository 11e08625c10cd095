/**
 * `vc prefill` of a warm cache whose store cannot be reached serves every
 * copy with a warning: one line per item would bury a CI log under one cause,
 * so the first 20 are printed and the rest counted, as failures are.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";

Deno.test("cli prefill: warnings of an unreachable store are capped, the rest counted", async () => {
  await using ws = await CliWorkspace.create();
  const items = Array.from({ length: 30 }, (_, i) => `s3://b/k${i}.txt`);
  await ws.write("list.txt", items.join("\n") + "\n");
  // The cache namespaces entries by endpoint: the store goes away from the
  // same port, which then refuses connections.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  const env = {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
  };
  await withProcessEnv(env, async () => {
    {
      await using fake = await startFakeS3({ port, buckets: ["b"] });
      for (let i = 0; i < items.length; i++) await fake.putObject("b", `k${i}.txt`, `${i}`);
      const warm = await ws.run(["prefill", "--list", "list.txt"], env);
      assertEquals(warm.code, 0, warm.stderr);
    }
    const run = await ws.run(["prefill", "--list", "list.txt", "--timeout", "0"], env);
    assertEquals(run.code, 0, run.stderr);
    assertStringIncludes(run.stdout, "30 already cached");
    const lines = run.stderr.trimEnd().split("\n");
    assertEquals(lines.length, 21, run.stderr);
    assertStringIncludes(lines[0]!, "cannot reach the store to revalidate s3://b/");
    assertEquals(lines[20], "vc: warning: ... and 10 more warnings");
  });
});
