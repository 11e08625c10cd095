/**
 * Reading a public bucket without credentials, as the aws CLI's
 * `--no-sign-request` does: with `VC_S3_ANONYMOUS=1` (or the `anonymous`
 * option) every request goes unsigned, on the lean path and through the AWS
 * SDK's client alike; a bucket that is not public is said to be so, naming
 * the setting; writes are refused before a request is sent. Before, a
 * machine without AWS credentials could not read `s3://noaa-ghcn-pds/...`
 * with vc at all: every request failed with a credentials error.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import type { RequestLogEntry } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import { AccessDeniedError } from "../src/errors.ts";
import { assert, assertEquals, assertMatch, assertRejects } from "./assert.ts";

// A machine without any AWS credentials: no keys, no shared files.
function noCredentialsEnv(url: string, extra: Record<string, string> = {}) {
  const env: Record<string, string> = {
    AWS_ENDPOINT_URL: url,
    AWS_CONFIG_FILE: "/nonexistent/vc-test/config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/vc-test/credentials",
    AWS_EC2_METADATA_DISABLED: "true",
    ...extra,
  };
  return (name: string) => env[name];
}

async function publicFake() {
  const log: RequestLogEntry[] = [];
  const s3 = await startFakeS3({
    buckets: ["open-data", "private-data"],
    publicBuckets: ["open-data"],
    onRequest: (entry) => log.push(entry),
  });
  await s3.putObject("open-data", "ghcn/a.csv", "station,temp\n");
  await s3.putObject("private-data", "secret.csv", "x\n");
  return { s3, log };
}

for (const region of [{ AWS_REGION: "us-east-1" }, {}]) {
  const how = "AWS_REGION" in region ? "region known (lean path alone)" : "region from the SDK";
  Deno.test(`VC_S3_ANONYMOUS=1 reads a public bucket unsigned: head, get, list (${how})`, async () => {
    const { s3, log } = await publicFake();
    await using _ = s3;
    await using store = new S3Store({
      bucket: "open-data",
      env: noCredentialsEnv(s3.url, { VC_S3_ANONYMOUS: "1", ...region }),
    });
    assertEquals((await store.head("ghcn/a.csv"))?.size, 13);
    const got = await store.get("ghcn/a.csv");
    assertEquals(await new Response(got.body).text(), "station,temp\n");
    const keys = [];
    for await (const info of store.list("ghcn/")) keys.push(info.key);
    assertEquals(keys, ["ghcn/a.csv"]);
    assertEquals(log.length, 3);
    for (const entry of log) {
      assertEquals(entry.status < 300, true, `${entry.method} ${entry.path}`);
      assertEquals(entry.headers.authorization, undefined, `${entry.method} ${entry.path} signed`);
    }
  });
}

Deno.test("the anonymous option reads unsigned too, and a bucket that is not public is said to be so", async () => {
  const { s3 } = await publicFake();
  await using _ = s3;
  await using store = new S3Store({
    bucket: "private-data",
    anonymous: true,
    region: "us-east-1",
    env: noCredentialsEnv(s3.url),
  });
  const error = await assertRejects(() => store.get("secret.csv"), AccessDeniedError);
  assertMatch(error.message, /GET s3:\/\/private-data\/secret\.csv: access denied/);
  assertMatch(error.message, /sent unsigned \(no credentials \(option anonymous\)\)/);
  assertMatch(error.message, /bucket private-data does not allow that: it is not public/);
  assertMatch(error.message, /set AWS credentials/);
  const listing = await assertRejects(async () => {
    for await (const _ of store.list("")) break;
  }, AccessDeniedError);
  assertMatch(listing.message, /not public, or not for this listing/);
});

Deno.test("an anonymous store refuses writes before sending anything, naming the setting", async () => {
  const { s3, log } = await publicFake();
  await using _ = s3;
  await using store = new S3Store({
    bucket: "open-data",
    env: noCredentialsEnv(s3.url, { VC_S3_ANONYMOUS: "true", AWS_REGION: "us-east-1" }),
  });
  const writes: [string, () => Promise<unknown>][] = [
    ["PUT", () => store.put("new.csv", new TextEncoder().encode("n\n"))],
    ["PUT", () => store.put("big.bin", new Uint8Array(17 * 1024 * 1024))],
    ["DELETE", () => store.delete(["ghcn/a.csv"])],
    ["DELETE", () => store.delete(["ghcn/a.csv", "ghcn/b.csv"])],
    ["COPY", () => store.copy("ghcn/a.csv", "copy.csv")],
    ["AbortMultipartUpload", () => store.abortUpload({ key: "k", uploadId: "u" } as never)],
  ];
  for (const [operation, write] of writes) {
    const error = await assertRejects(write, AccessDeniedError);
    assertMatch(error.message, new RegExp(`^${operation} s3://open-data/`));
    assertMatch(error.message, /sends unsigned requests \(env VC_S3_ANONYMOUS\)/);
  }
  assertEquals(log.length, 0);
  assertEquals(s3.listKeys("open-data"), ["ghcn/a.csv"]);
});

Deno.test("without VC_S3_ANONYMOUS a machine without credentials still gets the credentials error (no silent fallback)", async () => {
  const { s3, log } = await publicFake();
  await using _ = s3;
  await using store = new S3Store({
    bucket: "open-data",
    region: "us-east-1",
    env: noCredentialsEnv(s3.url),
  });
  const error = await assertRejects(() => store.head("ghcn/a.csv"), AccessDeniedError);
  assertMatch(error.message, /no usable AWS credentials/);
  assertMatch(error.message, /a public bucket is read without credentials with VC_S3_ANONYMOUS=1/);
  assert(log.every((entry) => entry.headers.authorization !== undefined));
});

Deno.test("VC_S3_ANONYMOUS with a value that is no boolean is refused, naming it", () => {
  let message = "";
  try {
    new S3Store({ bucket: "b", env: (n) => ({ VC_S3_ANONYMOUS: "maybe" })[n] });
  } catch (e) {
    message = (e as Error).message;
  }
  assertMatch(message, /VC_S3_ANONYMOUS/);
});

Deno.test("the fake server refuses unsigned requests to private buckets and unsigned writes to public ones", async () => {
  const { s3 } = await publicFake();
  await using _ = s3;
  const status = async (method: string, path: string) => {
    const res = await fetch(`${s3.url}${path}`, {
      method,
      ...(method === "PUT" ? { body: "x" } : {}),
    });
    await res.body?.cancel();
    return res.status;
  };
  assertEquals(await status("GET", "/open-data/ghcn/a.csv"), 200);
  assertEquals(await status("GET", "/open-data?list-type=2"), 200);
  assertEquals(await status("GET", "/private-data/secret.csv"), 403);
  assertEquals(await status("PUT", "/open-data/new.csv"), 403);
  assertEquals(await status("DELETE", "/open-data/ghcn/a.csv"), 403);
  assertEquals(s3.listKeys("open-data"), ["ghcn/a.csv"]);
});

Deno.test("mirror() to an anonymous store is refused once, before any upload; from one it downloads", async () => {
  const { s3, log } = await publicFake();
  await using _ = s3;
  // The state files (and the `.lock` vc keeps beside each) outside the
  // mirrored directory, in the one temp dir removed at the end.
  const root = await Deno.makeTempDir({ prefix: "vc_anon_mirror_" });
  const dir = `${root}/src`;
  try {
    await Deno.mkdir(dir);
    await Deno.writeTextFile(`${dir}/x.csv`, "x\n");
    await Deno.writeTextFile(`${dir}/y.csv`, "y\n");
    const store = new S3Store({
      bucket: "open-data",
      anonymous: true,
      region: "us-east-1",
      env: noCredentialsEnv(s3.url),
    });
    await using _store = store;
    const { mirror } = await import("../src/mirror/mod.ts");
    const error = await assertRejects(
      () => mirror({ sources: [dir], target: store, statePath: `${root}/state` }),
      AccessDeniedError,
    );
    assertMatch(
      error.message,
      /^mirror target s3:\/\/open-data: this store sends unsigned requests/,
    );
    assertEquals(log.length, 0);
    const down = `${dir}/down`;
    await mirror({
      sources: [store],
      sourcePrefix: "ghcn",
      target: down,
      statePath: `${root}/state2`,
    });
    assertEquals(await Deno.readTextFile(`${down}/a.csv`), "station,temp\n");
    assert(log.every((entry) => entry.headers.authorization === undefined));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
