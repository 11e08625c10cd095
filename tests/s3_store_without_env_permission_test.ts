/**
 * A script run with only the permissions its own files need
 * (`--allow-net=127.0.0.1 --allow-read=DIR --allow-write=DIR`) that opens an
 * `s3://` store: the AWS SDK reads `process.env` as it loads, and Deno's
 * denial (naming `AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA`, a variable no user
 * sets) came out of every store call as a bare `NotCapable`, and out of
 * `cache()` as "cannot write to the cache dir … make it writable". Now both
 * are an `AccessDeniedError` saying the store needs `--allow-env`, and the
 * cache dir is not blamed.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { runLimitedScript } from "./limited_permission_script.ts";

Deno.test("s3 store without --allow-env: AccessDeniedError naming the permission, not the cache dir", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-s3-no-env-" });
  try {
    const lines = await runLimitedScript(
      dir,
      {
        imports: ["AssetCache", "openStore"],
        body: `
          const store = await openStore("s3://bkt");
          await show(store.head("k.txt"));
          await store.close();
          await using assets = new AssetCache({ cacheDir: ${
          JSON.stringify(`${dir}/cache`)
        }, configPath: false });
          await show(assets.cache("s3://bkt/k.txt"));`,
      },
      ["--allow-net=127.0.0.1"],
      // Denied anyway: nothing may reach a real endpoint.
      { AWS_ENDPOINT_URL: "http://127.0.0.1:9", NO_COLOR: "1" },
    );
    assertEquals(lines.length, 2, lines.join("\n"));
    for (const line of lines) {
      assertStringIncludes(line, "AccessDeniedError: an s3:// store needs env permission");
      assertStringIncludes(line, "run with --allow-env");
      assertEquals(line.includes("cache dir"), false, line);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
