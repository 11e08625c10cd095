/**
 * vc's S3 endpoint is the `endpoint` option, `AWS_ENDPOINT_URL_S3` or
 * `AWS_ENDPOINT_URL`; without one, AWS. The hand-signed requests (GET, HEAD,
 * PUT, listings) and the cache's `s3` namespace follow that rule, but the SDK
 * (copy, batched delete, multipart) also took an `endpoint_url` from the AWS
 * profile: one store, two endpoints. Run in a child process so the test
 * controls the environment and AWS files the SDK reads.
 */
import { assertEquals } from "./assert.ts";

const dec = new TextDecoder();

Deno.test("s3 store: the SDK does not take a profile's endpoint_url the hand-signed requests ignore", async () => {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    seen.push(`${req.method} ${new URL(req.url).pathname}`);
    return new Response(
      '<?xml version="1.0"?><CopyObjectResult><ETag>"x"</ETag></CopyObjectResult>',
    );
  });
  const dir = await Deno.makeTempDir({ prefix: "vc_s3_profile_endpoint_" });
  try {
    await Deno.writeTextFile(
      `${dir}/config`,
      `[profile other]\nregion = qa-nowhere-1\nendpoint_url = http://127.0.0.1:${server.addr.port}\n`,
    );
    await Deno.writeTextFile(
      `${dir}/credentials`,
      "[other]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n",
    );
    await Deno.writeTextFile(
      `${dir}/child.ts`,
      `import { S3Store } from ${
        JSON.stringify(new URL("../src/store/s3.ts", import.meta.url).href)
      };
const store = new S3Store({ bucket: "bkt", maxAttempts: 1, requestTimeoutMs: 2000 });
try {
  await store.copy("a", "b");
} catch {
  // AWS in an unknown region: unreachable, as for every other request.
} finally {
  await store.close();
}
`,
    );
    const env: Record<string, string> = {};
    for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "NO_COLOR"]) {
      const v = Deno.env.get(name);
      if (v !== undefined) env[name] = v;
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--config",
        new URL("../deno.json", import.meta.url).pathname,
        `${dir}/child.ts`,
      ],
      clearEnv: true,
      env: {
        ...env,
        AWS_PROFILE: "other",
        AWS_CONFIG_FILE: `${dir}/config`,
        AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
        AWS_EC2_METADATA_DISABLED: "true",
      },
      stdout: "null",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 0, dec.decode(out.stderr));
    assertEquals(seen, []);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
