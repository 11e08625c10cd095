import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";

// A mistyped --bucket made path, sync and verify blame the version ("does
// not exist") instead of the bucket: a HEAD's 404 cannot tell them apart.
Deno.test("path / sync / verify: a file:// --bucket that does not exist is named as such", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "one");
  assertEquals((await ws.vc("add", "/f.txt", "f.txt")).code, 0);
  const typo = ws.path("typo");
  for (const args of [["path", "/f.txt"], ["sync", "out"], ["verify"]]) {
    const r = await ws.run([...args, "--bucket", typo]);
    assertEquals(r.code, 1, args.join(" "));
    assertStringIncludes(r.stdout + r.stderr, `(no directory ${typo}); check --bucket`);
  }
});

Deno.test("path / verify: an s3:// bucket that does not exist is named as such", async () => {
  await using s3 = await startFakeS3({ buckets: ["assets"] });
  await using ws = await CliWorkspace.create();
  await ws.write("f.txt", "one");
  await withProcessEnv(s3.env, async () => {
    const add = await ws.run(["add", "/f.txt", "f.txt", "--bucket", "s3://assets"], s3.env);
    assertEquals(add.code, 0, add.stderr);
    for (const args of [["path", "/f.txt"], ["verify"]]) {
      const r = await ws.run([...args, "--bucket", "s3://nobucket"], s3.env);
      assertEquals(r.code, 1, args.join(" "));
      assertStringIncludes(r.stdout + r.stderr, "bucket s3://nobucket does not exist at");
    }
  });
});
