/**
 * A failure line of `vc mirror` names a store key by its one URI
 * (`s3://b/down/d x/`), never as the prefix's URI and the key side by side
 * (`s3://b/down d x/`), which reads as another key when the key holds a space.
 */
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";
import { assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

Deno.test("vc mirror: a key with a space that cannot be written is named by its whole URI", async () => {
  await using ws = await CliWorkspace.create();
  await using fake = await startFakeS3({ buckets: ["b"] });
  await withProcessEnv(fake.env, async () => {
    await fake.putObject("b", "down/d x/", "data in a folder marker");
    await fake.putObject("b", "down/p q/../r s.txt", "dot-dot");
    await fake.putObject("b", "down/ok.txt", "ok");
    const run = await ws.run(["mirror", "s3://b/down", "out", "--state", "s.db"]);
    assertEquals(run.code, 1, run.stderr);
    const lines = run.stderr.split("\n").filter((l) => l.startsWith("vc: mirror: s3://"));
    assertEquals(lines.sort(), [
      "vc: mirror: s3://b/down/d x/: not written: key names a directory; rename the object in " +
      "the store, or leave it out with --exclude",
      'vc: mirror: s3://b/down/p q/../r s.txt: not written: key has a ".." segment; rename the ' +
      "object in the store, or leave it out with --exclude",
    ]);
    assertEquals(await ws.read("out/ok.txt"), "ok");
  });
});
