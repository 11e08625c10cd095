/**
 * A mirror's default state file is named by the S3 endpoint too: one
 * `s3://bucket/prefix` on two S3-compatible servers (AWS and a MinIO, two
 * MinIOs) is two mirrors. Named by the URI alone they shared one state file,
 * and a mirror to the second server took the first's records for its own.
 * AWS itself (no endpoint configured, or AWS's own endpoint spelled out)
 * keeps the name earlier versions gave, so its state files keep working.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { defaultStatePath, MirrorState } from "../src/mirror/state.ts";
import { stateIdentities } from "../src/mirror/state_identity.ts";
import { S3Store } from "../src/store/s3.ts";
import { parseUri } from "../src/uri.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import type { FakeS3 } from "../src/testing/mod.ts";
import { assert, assertEquals, assertNotEquals } from "./assert.ts";
import { settle, storeContents, tempDir, writeTree } from "./mirror_helpers.ts";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** Opens `s3://` URIs at `endpoint`, remembering them to close (`parts`: multipart from 1 KiB). */
function opener(endpoint: string, opened: S3Store[], parts = false) {
  return (uri: string) => {
    const p = parseUri(uri);
    if (p.scheme !== "s3") throw new Error(`not s3: ${uri}`);
    const s = new S3Store({
      bucket: p.bucket,
      prefix: p.key,
      endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials,
      ...(parts ? { multipartThreshold: 1024, partSize: 1024 } : {}),
    });
    opened.push(s);
    return Promise.resolve(s);
  };
}

async function withTwoServers(run: (a: FakeS3, b: FakeS3) => Promise<void>): Promise<void> {
  const a = await startFakeS3({ buckets: ["bucket"], minPartSize: 1024 });
  try {
    const b = await startFakeS3({ buckets: ["bucket"], minPartSize: 1024 });
    try {
      await run(a, b);
    } finally {
      await b.stop();
    }
  } finally {
    await a.stop();
  }
}

/**
 * The canonical state identity (as JSON) of a mirror of `dir` up to
 * `s3://bucket/prefix` at `endpoint` (undefined: none configured).
 */
async function uploadIdentity(dir: string, endpoint: string | undefined): Promise<string> {
  const identities = await stateIdentities({
    direction: "upload",
    sources: [dir],
    target: "s3://bucket/prefix",
    sourcePrefix: undefined,
    storePrefix: "",
    targetPrefix: "",
    storeEndpoints: [endpoint],
  });
  return JSON.stringify(identities.canonical);
}

/** The names of the state files in `cacheDir`. */
async function stateFiles(cacheDir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(join(cacheDir, "mirror"))) {
    if (e.name.endsWith(".sqlite")) names.push(e.name);
  }
  return names;
}

Deno.test("mirror: one s3://bucket/prefix on two endpoints has two state files, and the second gets every file", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  // Stored in parts on A, whole on B: the two servers' ETags differ.
  const big = "x".repeat(3000);
  const files = { "a.txt": big, "d/b.txt": big + "b", "d/e/c.txt": big + "c" };
  await writeTree(src, files);
  await settle();
  const cacheDir = join(w.dir, "cache");
  await withTwoServers(async (a, b) => {
    const opened: S3Store[] = [];
    try {
      const options = { sources: [src], target: "s3://bucket/prefix", cacheDir, racyWindowMs: 0 };
      const toA = () => mirror({ ...options, openStore: opener(a.url, opened, true) });
      const toB = () => mirror({ ...options, openStore: opener(b.url, opened) });
      assertEquals((await toA()).transferred, 3);
      const second = await toB();
      assertEquals(second.transferred, 3);
      assertEquals(b.stats.PutObject, 3);
      assertEquals(await storeContents(opened.at(-1)!), files);
      // Each keeps its own records: a run to either again finds everything
      // as its records say, with no HEAD and no upload.
      for (const [run, fake] of [[toA, a], [toB, b]] as const) {
        fake.resetStats();
        const again = await run();
        assertEquals([again.transferred, again.hashed, again.unchanged, again.heads], [0, 0, 3, 0]);
        const { HeadObject, GetObject, PutObject, CreateMultipartUpload } = fake.stats;
        assertEquals([HeadObject, GetObject, PutObject, CreateMultipartUpload], [0, 0, 0, 0]);
      }
      // Two state files, one per server, each with its own lock: a run to
      // B is not refused while A's is held.
      const names = await stateFiles(cacheDir);
      assertEquals(names.length, 2, names.join(", "));
    } finally {
      await Promise.all(opened.map((s) => s.close()));
    }
  });
});

Deno.test("mirror: an endpoint's spellings are one state identity; AWS's own is the one of no endpoint", async () => {
  await using w = await tempDir();
  const dir = await Deno.realPath(w.dir);
  const of = (endpoint: string | undefined) => uploadIdentity(dir, endpoint);
  const none = await of(undefined);
  // The identity earlier versions gave a mirror to AWS: its file keeps its name.
  assertEquals(
    none,
    JSON.stringify({
      sources: [dir],
      target: "s3://bucket/prefix",
      sourcePrefix: "",
      targetPrefix: "",
    }),
  );
  for (const aws of ["https://s3.amazonaws.com", "https://S3.eu-west-1.amazonaws.com/"]) {
    assertEquals(await of(aws), none, aws);
  }
  const minio = await of("http://minio.example:9000");
  assertNotEquals(minio, none);
  for (const same of ["HTTP://MinIO.example:9000/", "http://minio.example:9000//"]) {
    assertEquals(await of(same), minio, same);
  }
  for (
    const other of [
      "https://minio.example:9000",
      "http://minio.example:9001",
      "http://minio.example:9000/gw",
    ]
  ) {
    assertNotEquals(await of(other), minio, other);
  }
  assertEquals(await of("https://minio.example:443"), await of("https://minio.example"));
  // Downloads: each store source's endpoint.
  const down = (endpoint: string | undefined) =>
    stateIdentities({
      direction: "download",
      sources: ["s3://bucket/prefix"],
      target: dir,
      sourcePrefix: undefined,
      storePrefix: "",
      targetPrefix: "",
      storeEndpoints: [endpoint],
    }).then((i) => JSON.stringify(i.canonical));
  assertNotEquals(await down("http://127.0.0.1:9000"), await down(undefined));
  assertEquals(await down("https://s3.amazonaws.com"), await down(undefined));
});

Deno.test("mirror: a state file of an earlier version, named without the endpoint, is not taken over by a mirror to another endpoint", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  await settle();
  const cacheDir = join(w.dir, "cache");
  const real = await Deno.realPath(src);
  const old = { sources: [real], target: "s3://bucket/prefix", sourcePrefix: "", targetPrefix: "" };
  const oldPath = defaultStatePath(cacheDir, old);
  await Deno.mkdir(join(cacheDir, "mirror"), { recursive: true });
  new MirrorState(oldPath).close();
  await withTwoServers(async (a) => {
    const opened: S3Store[] = [];
    try {
      // A custom endpoint: the old file may be another server's; a new one.
      const run = await mirror({
        sources: [src],
        target: "s3://bucket/prefix",
        cacheDir,
        racyWindowMs: 0,
        openStore: opener(a.url, opened),
      });
      assertEquals(run.transferred, 1);
      const names = await stateFiles(cacheDir);
      assertEquals(names.length, 2, names.join(", "));
      assert(names.includes(oldPath.split("/").at(-1)!));
    } finally {
      await Promise.all(opened.map((s) => s.close()));
    }
  });
});

Deno.test("mirror: a GovCloud endpoint is not AWS's commercial namespace: its own state identity", async () => {
  // AWS GovCloud (US) is a partition of its own: `s3://bucket/prefix` there
  // is another bucket than `s3://bucket/prefix` on AWS (no endpoint), and
  // the two mirrors must not share a state file and its lock. (AWS China,
  // `amazonaws.com.cn`, is not matched as AWS's own either.)
  await using w = await tempDir();
  const dir = await Deno.realPath(w.dir);
  const of = (endpoint: string | undefined) => uploadIdentity(dir, endpoint);
  const none = await of(undefined);
  for (
    const gov of [
      "https://s3.us-gov-west-1.amazonaws.com",
      "https://s3-fips.us-gov-east-1.amazonaws.com",
      "https://s3-fips.dualstack.us-gov-west-1.amazonaws.com",
      "https://s3-us-gov-west-1.amazonaws.com",
      "https://s3.cn-north-1.amazonaws.com.cn",
    ]
  ) {
    assertNotEquals(await of(gov), none, gov);
  }
  // The commercial partition's FIPS and dual-stack endpoints stay AWS's own.
  for (
    const aws of [
      "https://s3-fips.us-east-1.amazonaws.com",
      "https://s3.dualstack.eu-west-1.amazonaws.com",
      "https://s3-external-1.amazonaws.com",
    ]
  ) {
    assertEquals(await of(aws), none, aws);
  }
});
