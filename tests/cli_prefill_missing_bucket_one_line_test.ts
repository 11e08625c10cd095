/**
 * `vc prefill --list` of items in a bucket that does not exist (a typo in
 * its name, another endpoint): each item said "its bucket s3://… does not
 * exist at …" on a line of its own (20 lines and "… and N more"). One line
 * now names the cause, the first few items and the count; an item's own
 * failure (a missing object in a bucket that exists) keeps its line.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { testAwsEnv } from "./cli_process.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { closedPort } from "./closed_port.ts";
import { silentServer } from "./raw_server.ts";

/**
 * Runs `vc prefill --list list.txt` of `uris` in a workspace of its own,
 * with `env` (in the process's environment too); asserts it exits 1.
 * Its `vc: prefill failed:` lines, and its stderr.
 */
async function prefillFailures(
  uris: readonly string[],
  env: Record<string, string>,
): Promise<{ failures: string[]; stderr: string }> {
  await using ws = await CliWorkspace.create();
  await ws.write("list.txt", uris.join("\n") + "\n");
  let r: Awaited<ReturnType<typeof ws.run>> | undefined;
  await withProcessEnv(env, async () => {
    r = await ws.run(["prefill", "--list", "list.txt"], env);
  });
  const run = r!;
  assertEquals(run.code, 1, run.stderr);
  const failures = run.stderr.trim().split("\n").filter((l) =>
    l.startsWith("vc: prefill failed: ")
  );
  return { failures, stderr: run.stderr };
}

for (const items of [1, 3, 200]) {
  Deno.test(`cli prefill: ${items} item(s) of a missing bucket are one line`, async () => {
    await using fake = await startFakeS3({ buckets: ["real"] });
    const uris = Array.from({ length: items }, (_, i) => `s3://nobucket/d/f${i}.txt`);
    const { failures, stderr } = await prefillFailures(
      [...uris, "s3://real/absent.txt"],
      { ...fake.env, AWS_MAX_ATTEMPTS: "1" },
    );
    assertEquals(failures.length, 2, stderr);
    const bucket = failures.find((l) => l.includes("s3://nobucket does not exist"));
    assert(bucket !== undefined, stderr);
    assertStringIncludes(bucket, "s3://nobucket/d/f0.txt");
    assertStringIncludes(bucket, "check the bucket name and the endpoint");
    if (items > 1) assertStringIncludes(bucket, `${items} items (`);
    if (items > 3) assertStringIncludes(bucket, `and ${items - 3} more)`);
    assert(failures.some((l) => l.includes("s3://real/absent.txt")), stderr);
    assertStringIncludes(stderr, `vc: ${items + 1} of ${items + 1} items failed`);
  });
}

Deno.test("cli prefill: the items of a store that cannot be reached are one line", async () => {
  const port = closedPort();
  const uris = Array.from({ length: 30 }, (_, i) => `s3://b/d/f${i}.txt`);
  const { failures, stderr } = await prefillFailures(uris, {
    ...testAwsEnv(`http://127.0.0.1:${port}`),
    AWS_MAX_ATTEMPTS: "1",
  });
  assertEquals(failures.length, 1, stderr);
  assertStringIncludes(
    failures[0]!,
    "30 items (s3://b/d/f0.txt, s3://b/d/f1.txt, s3://b/d/f2.txt, and 27 more): cannot reach",
  );
  assertStringIncludes(failures[0]!, `127.0.0.1:${port}`);
});

Deno.test("cli prefill: the one line of a store reached through a proxy names the proxy", async () => {
  // A proxy nothing listens on: the endpoint is never asked, so the line
  // must say the proxy (the ungrouped line does), not blame the endpoint.
  const port = closedPort();
  const uris = Array.from({ length: 5 }, (_, i) => `s3://b/d/f${i}.txt`);
  const { failures, stderr } = await prefillFailures(uris, {
    ...testAwsEnv("http://s3.example.test:9000"),
    HTTP_PROXY: `http://127.0.0.1:${port}`,
    NO_PROXY: "",
    no_proxy: "",
    AWS_MAX_ATTEMPTS: "1",
  });
  assertEquals(failures.length, 1, stderr);
  assertStringIncludes(failures[0]!, "5 items (");
  assertStringIncludes(
    failures[0]!,
    `cannot reach http://s3.example.test:9000 (from AWS_ENDPOINT_URL) through the proxy ` +
      `http://127.0.0.1:${port} (from HTTP_PROXY)`,
  );
});

Deno.test("cli prefill: the items of a store that never answers are one line", async () => {
  // Accepts connections and never answers (a hung server, a dropped route):
  // every item times out alike, and 20 lines of the same words hid the other
  // failures behind "... and N more".
  await using server = silentServer();
  const uris = Array.from({ length: 30 }, (_, i) => `s3://b/d/f${i}.txt`);
  const { failures, stderr } = await prefillFailures(uris, {
    ...testAwsEnv(server.url),
    AWS_MAX_ATTEMPTS: "1",
    VC_REQUEST_TIMEOUT: "0.2",
  });
  assertEquals(failures.length, 1, stderr);
  assertStringIncludes(
    failures[0]!,
    "30 items (s3://b/d/f0.txt, s3://b/d/f1.txt, s3://b/d/f2.txt, and 27 more): timed out after",
  );
  assertStringIncludes(failures[0]!, `waiting for a response from ${server.url}`);
  assertStringIncludes(failures[0]!, "VC_REQUEST_TIMEOUT");
});
