/**
 * A script given `--allow-read` for its own data only (vc from a checkout or
 * a vendored copy): the lean requests work, and the first request that needs
 * the AWS SDK (a copy here) loads its module by a computed specifier, which
 * Deno refuses without read access to it. That was a bare `TypeError:
 * Requires read access to ".../s3_sdk.ts"`; it is an `AccessDeniedError`
 * naming the module and the flag to add.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { runLimitedScript } from "./limited_permission_script.ts";

Deno.test("s3 store without read access to vc's files: an SDK request is an AccessDeniedError naming the flag", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  const dir = await Deno.makeTempDir({ prefix: "vc-s3-no-read-sdk-" });
  try {
    const lines = await runLimitedScript(
      dir,
      {
        imports: ["openStore"],
        body: `
        const store = await openStore("s3://b");
        await show(store.put("k.txt", new Uint8Array(3)));
        await show(store.copy("k.txt", "j.txt"));
        await store.close();`,
        readCheckout: false,
      },
      ["--allow-net=127.0.0.1", "--allow-env", "--allow-sys"],
      { ...fake.env, NO_COLOR: "1" },
    );
    assertEquals(lines.length, 2, lines.join("\n"));
    assertEquals(lines[0], "ok");
    assertStringIncludes(lines[1]!, "AccessDeniedError: an s3:// store loads the AWS SDK's module");
    assertStringIncludes(lines[1]!, "--allow-read=");
    assertStringIncludes(lines[1]!, "src/store/s3_sdk.ts");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
