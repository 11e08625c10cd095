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
import { DENO_DIR } from "./cli_process.ts";
import { s3NetworkError } from "../src/store/s3_errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { httpsFront, TLS_FIXTURES } from "./https_test_server.ts";

const CLI = fileURLToPath(new URL("../cli.ts", import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the `vc` CLI with its arguments. */
type Vc = (...args: string[]) => Promise<Run>;

/**
 * Runs `fn` with a workspace (`src/a.txt`, `src/big.bin` above the 16 MiB
 * multipart threshold) and a `vc` runner, under the release permissions, for
 * an https front of a fake S3 whose certificate comes from a private CA.
 */
async function withHttpsS3(
  trust: Record<string, string>,
  fn: (vc: Vc, s3Url: string) => Promise<void>,
  profileLines = "",
  uploads: boolean = trust.NODE_EXTRA_CA_CERTS !== undefined,
): Promise<void> {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ credentials: false, buckets: ["b"] });
  // An https front for the fake S3 (its certificate is for 127.0.0.1).
  await using proxy = httpsFront(s3.url);
  const dir = await Deno.makeTempDir({ prefix: "vc_https_sdk_" });
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.mkdir(join(dir, "home"));
    await Deno.writeTextFile(join(dir, "src", "a.txt"), "a");
    // CreateMultipartUpload and CompleteMultipartUpload go through the SDK.
    await Deno.writeFile(join(dir, "src", "big.bin"), new Uint8Array(17 << 20).fill(7));
    // A profile, as most users have: its credentials come through the SDK's
    // chain, so the SDK's client sends the multipart upload's requests.
    await Deno.mkdir(join(dir, "home", ".aws"));
    await Deno.writeTextFile(
      join(dir, "home", ".aws", "config"),
      `[profile t]\nregion = us-east-1\nendpoint_url = https://127.0.0.1:${proxy.addr.port}\n${profileLines}`,
    );
    await Deno.writeTextFile(
      join(dir, "home", ".aws", "credentials"),
      "[t]\naws_access_key_id = test\naws_secret_access_key = test\n",
    );
    const env = {
      HOME: join(dir, "home"),
      VC_CACHE_DIR: join(dir, "cache"),
      NO_COLOR: "1",
      AWS_PROFILE: "t",
      ...trust,
    };
    const vc = async (...args: string[]): Promise<Run> => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...PERMISSION_FLAGS, CLI, ...args],
        cwd: dir,
        env,
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const dec = new TextDecoder();
      return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
    };
    await fn(vc, s3.url);
    if (uploads) {
      assertEquals(s3.stats.CompleteMultipartUpload, 1);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const CA = fileURLToPath(new URL("ca.pem", TLS_FIXTURES));
// Any bundle without the test CA (its leaf certificate is no CA).
const OTHER_BUNDLE = fileURLToPath(new URL("cert.pem", TLS_FIXTURES));
// The module cache this process uses (HOME is the workspace's: Deno's
// default cache there would be empty, and CI has no network to fill it).
const BASE: Record<string, string> = { PATH: Deno.env.get("PATH") ?? "", DENO_DIR };

/** `vc mirror src s3://b/m` (fetch, and the SDK's multipart calls for big.bin), which must succeed. */
async function mirrorSucceeds(vc: Vc): Promise<void> {
  const out = await vc("mirror", "src", "s3://b/m");
  assertEquals(out.code, 0, out.stderr);
}

/** `vc cache get s3://b/m/a.txt` (vc's own request, through fetch), which must fail: its stderr. */
async function getFails(vc: Vc): Promise<string> {
  const out = await vc("cache", "get", "s3://b/m/a.txt");
  assert(out.code !== 0, out.stderr);
  return out.stderr;
}

Deno.test("binary permissions: SDK requests (a multipart upload) to an https endpoint", async () => {
  // fetch trusts DENO_CERT; node:https (the SDK's), NODE_EXTRA_CA_CERTS.
  await withHttpsS3({ ...BASE, DENO_CERT: CA, NODE_EXTRA_CA_CERTS: CA }, async (vc, s3Url) => {
    await mirrorSucceeds(vc);
    const listed = await (await fetch(`${s3Url}/b?list-type=2&prefix=m/`)).text();
    assertEquals(
      [...listed.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]),
      ["m/a.txt", "m/big.bin"],
    );
  });
});

// A user who trusts a private CA with DENO_CERT, as Deno's docs say, where
// NODE_EXTRA_CA_CERTS (and AWS_CA_BUNDLE) name the machine's roots, as
// corporate images set them: vc's own requests (fetch) trusted it, the SDK's
// (node:https, which then reads that file, not Deno's store) did not, so
// small files uploaded and a big one failed "not trusted: set AWS_CA_BUNDLE".
for (
  const [name, extra] of [
    ["DENO_CERT alone: the SDK's requests (a multipart upload) trust it too", {}],
    [
      "DENO_CERT beside an AWS_CA_BUNDLE without its CA: the SDK's requests trust both",
      { AWS_CA_BUNDLE: OTHER_BUNDLE },
    ],
  ] as const
) {
  Deno.test(name, async () => {
    const trust = { ...BASE, DENO_CERT: CA, ...extra, NODE_EXTRA_CA_CERTS: OTHER_BUNDLE };
    await withHttpsS3(trust, mirrorSucceeds, "", true);
  });
}

Deno.test("an https endpoint of an untrusted CA: the error says what to trust it with", async () => {
  const hint = "set AWS_CA_BUNDLE (or ca_bundle in the AWS profile) to its PEM file";
  // Trusted by neither: vc's own requests (fetch) fail first, saying how.
  await withHttpsS3(BASE, async (vc) => {
    assertStringIncludes(await getFails(vc), hint);
  });
});

Deno.test("s3NetworkError: node:https's untrusted-certificate errors (the SDK's) get the hint", () => {
  const ctx = {
    operation: "CreateMultipartUpload",
    uri: "s3://b/k",
    bucket: "b",
    endpoint: "https://s3.internal",
    region: "us-east-1",
    credentialSource: "options",
  } as const;
  for (
    const message of [
      "unable to verify the first certificate",
      "self-signed certificate in certificate chain",
      "unable to get local issuer certificate",
    ]
  ) {
    const e = s3NetworkError(Object.assign(new Error(message), { code: "X" }), ctx);
    assertStringIncludes(e.message, "set AWS_CA_BUNDLE");
  }
  // Not for other failures.
  const other = s3NetworkError(new Error("socket hang up"), ctx);
  assert(!other.message.includes("AWS_CA_BUNDLE"), other.message);
});

/** `vc mirror` (fetch, node:http large bodies, the SDK's multipart calls) then `vc cache get`. */
async function mirrorAndGet(vc: Vc, s3Url: string) {
  await mirrorSucceeds(vc);
  const listed = await (await fetch(`${s3Url}/b?list-type=2&prefix=m/`)).text();
  assertEquals(
    [...listed.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]),
    ["m/a.txt", "m/big.bin"],
  );
  const get = await vc("cache", "get", "s3://b/m/big.bin");
  assertEquals(get.code, 0, get.stderr);
  assertEquals((await Deno.stat(get.stdout.trim())).size, 17 << 20);
}

Deno.test("AWS_CA_BUNDLE alone trusts a private CA for every request, as in the aws CLI", async () => {
  await withHttpsS3({ ...BASE, AWS_CA_BUNDLE: CA }, mirrorAndGet, "", true);
});

Deno.test("a profile's ca_bundle alone trusts a private CA for every request", async () => {
  await withHttpsS3(BASE, mirrorAndGet, `ca_bundle = ${CA}\n`, true);
});

Deno.test("a CA bundle that is missing or not PEM: the error names the file and the setting", async () => {
  await withHttpsS3({ ...BASE, AWS_CA_BUNDLE: "/nonexistent/ca.pem" }, async (vc) => {
    const stderr = await getFails(vc);
    assertStringIncludes(stderr, "cannot read the CA bundle /nonexistent/ca.pem (AWS_CA_BUNDLE)");
    assert(!/^\s+at /m.test(stderr), stderr);
  });
  const key = fileURLToPath(new URL("key.pem", TLS_FIXTURES));
  await withHttpsS3(BASE, async (vc) => {
    const stderr = await getFails(vc);
    assertStringIncludes(stderr, `the CA bundle ${key} (ca_bundle of AWS profile "t"`);
    assertStringIncludes(stderr, "holds no PEM certificate");
  }, `ca_bundle = ${key}\n`);
});

Deno.test("a CA bundle without the issuing CA: the error names the bundle, not 'set AWS_CA_BUNDLE'", async () => {
  // A PEM certificate, but not the CA that issued the endpoint's.
  const wrong = fileURLToPath(new URL("cert.pem", TLS_FIXTURES));
  await withHttpsS3({ ...BASE, AWS_CA_BUNDLE: wrong }, async (vc) => {
    assertStringIncludes(
      await getFails(vc),
      `not by the CA bundle ${wrong} (AWS_CA_BUNDLE) either`,
    );
  });
});
