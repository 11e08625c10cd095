/**
 * A script run with `--allow-env` but not `--allow-sys`: the lean requests
 * (HEAD, GET, PUT) work, and the first one the AWS SDK sends (a batch
 * delete, a copy, a multipart upload's Create), whose user agent reads the
 * OS's release, failed as a `StoreError` (`DeleteObjects … failed: Requires
 * sys access to "osRelease"`), as if the store had refused it. It is an
 * `AccessDeniedError` naming the permission, as one for env is.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { runLimitedScript } from "./limited_permission_script.ts";

Deno.test("s3 store without --allow-sys: an SDK request is an AccessDeniedError naming the permission", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  const dir = await Deno.makeTempDir({ prefix: "vc-s3-no-sys-" });
  try {
    const lines = await runLimitedScript(
      dir,
      {
        imports: ["openStore"],
        body: `
        const store = await openStore("s3://b");
        await show(store.put("k.txt", new Uint8Array(3)));
        await show(store.delete(["k.txt", "j.txt"]));
        await store.close();`,
      },
      ["--allow-net=127.0.0.1", "--allow-env"],
      { ...fake.env, NO_COLOR: "1" },
    );
    assertEquals(lines.length, 2, lines.join("\n"));
    assertEquals(lines[0], "ok");
    assertStringIncludes(lines[1]!, "AccessDeniedError: an s3:// store needs sys permission");
    assertStringIncludes(lines[1]!, "run with --allow-sys");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
