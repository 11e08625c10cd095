/**
 * Issue 7 item 6 over a real `vc` process: an endpoint that accepts TCP and
 * never answers no longer hangs `vc cache get`; `--request-timeout` and
 * `VC_REQUEST_TIMEOUT` set the limit, the failure names the endpoint, and a
 * stale cached copy is served with a warning (offline fallback).
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";
import { silentServer } from "./raw_server.ts";

const s3Env = (endpoint: string): Record<string, string> => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_REGION: "us-east-1",
});

Deno.test("vc cache get: a silent endpoint fails after --request-timeout, naming the endpoint", async () => {
  await using server = silentServer();
  await withWorkspace(async (_dir, vc) => {
    for (
      const [args, env] of [
        [["--request-timeout", "0.3"], {}],
        [[], { VC_REQUEST_TIMEOUT: "0.3" }],
      ] as const
    ) {
      const run = await vc(["cache", "get", "s3://b/k.csv", ...args], {
        ...s3Env(server.url),
        ...env,
      });
      assert(run.code !== 0, `exit ${run.code}`);
      assertStringIncludes(run.stderr, server.url);
      assertStringIncludes(run.stderr, "timed out");
    }
    const bad = await vc(["cache", "get", "s3://b/k.csv", "--request-timeout", "soon"], {
      ...s3Env(server.url),
    });
    assert(bad.code !== 0);
    assertStringIncludes(bad.stderr, "--request-timeout");
  });
});

Deno.test("vc cache get: a stale copy is served with a warning when the endpoint times out", async () => {
  // The cache namespaces entries by endpoint, so the silent server takes over
  // the fake's port: same endpoint, now never answering.
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close();
  await withWorkspace(async (_dir, vc) => {
    let endpoint: string;
    {
      await using fake = await startFakeS3({ port, buckets: ["b"] });
      endpoint = fake.url;
      await fake.putObject("b", "k.csv", "a,b\n");
      ok(await vc(["cache", "get", "s3://b/k.csv"], s3Env(endpoint)), "first get");
    }
    await using _silent = silentServer(port);
    const run = await vc(
      ["cache", "get", "s3://b/k.csv", "--timeout", "0", "--request-timeout", "0.3"],
      s3Env(endpoint),
    );
    assertEquals(run.code, 0, run.stderr);
    assertEquals(await Deno.readTextFile(run.stdout.trim()), "a,b\n");
    assertStringIncludes(run.stderr, endpoint);
  });
});
