/**
 * `vc cache ls --check-remote` with the store's endpoint unreachable: REMOTE
 * is `unknown`, and why is said once per endpoint on stderr, and for each
 * entry as `remoteError` in `--json`.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { testAwsEnv, withWorkspace } from "./cli_process.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

Deno.test("cache ls --check-remote: an unreachable endpoint's REMOTE `unknown` says why, once", async () => {
  await withWorkspace(async (_dir, vc) => {
    const fake = await startFakeS3({ buckets: ["b"] });
    const env = { ...testAwsEnv(fake.url), VC_REQUEST_TIMEOUT: "5" };
    const keys = ["a.csv", "b.csv", "c.csv"];
    try {
      for (const k of keys) {
        await fake.putObject("b", k, k);
        const got = await vc(["cache", "get", `s3://b/${k}`], env);
        assertEquals(got.code, 0, got.stderr);
      }
    } finally {
      await fake.stop();
    }
    const endpoint = new URL(fake.url).host;

    const human = await vc(["cache", "ls", "--check-remote"], env);
    assertEquals(human.code, 0, human.stderr);
    for (const k of keys) {
      const row = human.stdout.split("\n").find((l) => l.startsWith(`s3://b/${k} `));
      assert(row?.trimEnd().endsWith(" unknown"), human.stdout);
    }
    const lines = human.stderr.trimEnd().split("\n");
    assertEquals(lines.length, 1, human.stderr);
    assertStringIncludes(
      lines[0]!,
      `REMOTE is unknown for 3 entries of the endpoint ${endpoint}: `,
    );
    assertStringIncludes(lines[0]!, "cannot reach");

    const json = await vc(["cache", "ls", "--check-remote", "--json"], env);
    assertEquals(json.code, 0, json.stderr);
    assertEquals(json.stderr.trimEnd().split("\n").length, 1, json.stderr);
    const entries = JSON.parse(json.stdout) as { outdated?: boolean; remoteError?: string }[];
    assertEquals(entries.length, 3);
    for (const e of entries) {
      assertEquals(e.outdated, undefined);
      assertStringIncludes(e.remoteError ?? "", "cannot reach");
    }
  });
});
