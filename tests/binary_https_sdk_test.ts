// The release binary's permissions (scripts/permissions.ts) must cover the
// AWS SDK's requests (deletes, copies, multipart uploads) to an https
// endpoint, as every real AWS endpoint is: the SDK sends through node:https,
// which in Deno needs sys access to the CA store and reads
// NODE_USE_SYSTEM_CA / NODE_EXTRA_CA_CERTS. With too narrow a permission,
// an upload above the multipart threshold (16 MiB) failed with "Requires sys access to "ca", run again
// with the --allow-sys flag", which a binary's user cannot do.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));
const TLS = new URL("./fixtures/tls/", import.meta.url);

Deno.test("binary permissions: SDK requests (a multipart upload) to an https endpoint", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const read = (name: string) => Deno.readTextFileSync(new URL(name, TLS));
  // An https front for the fake S3 (its certificate is for 127.0.0.1).
  await using proxy = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: read("cert.pem"),
    key: read("key.pem"),
    onListen() {},
  }, (req) => {
    const url = new URL(req.url);
    const headers = new Headers(req.headers);
    headers.set("host", new URL(s3.url).host);
    return fetch(`${s3.url}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: req.body,
      redirect: "manual",
    });
  });
  const dir = await Deno.makeTempDir({ prefix: "vc_https_sdk_" });
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.mkdir(join(dir, "home"));
    await Deno.writeTextFile(join(dir, "src", "a.txt"), "a");
    // Above the 16 MiB multipart threshold: CreateMultipartUpload and
    // CompleteMultipartUpload go through the SDK.
    await Deno.writeFile(join(dir, "src", "big.bin"), new Uint8Array(17 << 20).fill(7));
    const ca = fileURLToPath(new URL("ca.pem", TLS));
    const env = {
      HOME: join(dir, "home"),
      VC_CACHE_DIR: join(dir, "cache"),
      NO_COLOR: "1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
      AWS_ENDPOINT_URL: `https://127.0.0.1:${proxy.addr.port}`,
      // fetch trusts DENO_CERT; node:https (the SDK's), NODE_EXTRA_CA_CERTS.
      DENO_CERT: ca,
      NODE_EXTRA_CA_CERTS: ca,
    };
    const vc = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...PERMISSION_FLAGS, CLI, ...args],
        cwd: dir,
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
    };
    const out = await vc("mirror", "src", "s3://b/m");
    assertEquals(out.code, 0, out.stderr);
    assertEquals(s3.stats.CompleteMultipartUpload, 1);
    const listed = await (await fetch(`${s3.url}/b?list-type=2&prefix=m/`)).text();
    assertEquals(
      [...listed.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]),
      ["m/a.txt", "m/big.bin"],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
