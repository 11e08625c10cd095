// A 206 must hold the bytes its ranged GET asked for: a proxy or buggy
// server answering another range would have them written at the asked
// offset, and an SSE-KMS object (no MD5 to compare) was cached corrupt.
import { AssetCache } from "../src/cache/asset_cache.ts";
import { IntegrityError } from "../src/errors.ts";
import { S3Store } from "../src/store/s3.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

const SIZE = 300_000;
const DATA = Uint8Array.from({ length: SIZE }, (_, i) => (i * 7 + (i >> 8)) & 0xff);
const KMS = { "x-amz-server-side-encryption": "aws:kms", etag: `"${"e".repeat(32)}"` };

/** A KMS object server; `shift` moves every range after the first byte back to 0. */
async function withServer(
  shift: boolean,
  fn: (endpoint: string) => Promise<void>,
): Promise<void> {
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.get("range") ?? "");
    if (m === null) return new Response(DATA, { headers: KMS });
    const start = Number(m[1]);
    const end = Math.min(m[2] === "" ? SIZE - 1 : Number(m[2]), SIZE - 1);
    const from = shift && start > 0 ? 0 : start;
    const to = from + end - start;
    return new Response(DATA.slice(from, to + 1), {
      status: 206,
      headers: { ...KMS, "content-range": `bytes ${from}-${to}/${SIZE}` },
    });
  });
  await fn(`http://127.0.0.1:${server.addr.port}`);
}

/** Files under `dir` outside the records' tree. */
async function dataFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory && e.name !== ".meta") await walk(`${d}/${e.name}`);
      else if (!e.isDirectory) out.push(`${d}/${e.name}`);
    }
  };
  await walk(dir);
  return out;
}

const s3 = (endpoint: string) => ({
  endpoint,
  region: "us-east-1",
  forcePathStyle: true,
  credentials: { accessKeyId: "a", secretAccessKey: "s" },
  maxAttempts: 2,
});

Deno.test("s3 store: a 206 for the asked range passes, its end cut at the object's end", async () => {
  await withServer(false, async (endpoint) => {
    const store = new S3Store({ bucket: "b", ...s3(endpoint) });
    try {
      const r = await store.get("k", { range: { start: 100, end: SIZE + 50 } });
      const got = new Uint8Array(await new Response(r.body).arrayBuffer());
      assertEquals(got, DATA.slice(100));
      assertEquals(r.info.size, SIZE);
    } finally {
      await store.close();
    }
  });
});

Deno.test("s3 store: a 206 with another Content-Range than asked is an IntegrityError naming the URI", async () => {
  await withServer(true, async (endpoint) => {
    const store = new S3Store({ bucket: "b", ...s3(endpoint) });
    try {
      const e = await assertRejects(
        () => store.get("k", { range: { start: 1000, end: 1999 } }),
        IntegrityError,
      );
      assertStringIncludes(e.message, "s3://b/k");
      assertStringIncludes(e.message, "1000-1999");
      assertStringIncludes(e.message, '"bytes 0-999/300000"');
    } finally {
      await store.close();
    }
  });
});

Deno.test("cache: an SSE-KMS object whose ranges come back shifted is refused, nothing cached", async () => {
  await withServer(true, async (endpoint) => {
    const dir = await Deno.makeTempDir();
    try {
      await using cache = new AssetCache({
        cacheDir: dir,
        configPath: false,
        env: {},
        store: { s3: s3(endpoint) },
        download: { parallelThreshold: 64 * 1024, partSize: 64 * 1024, attempts: 2 },
        warn: () => {},
      });
      const e = await assertRejects(() => cache.cache("s3://b/k.bin"), IntegrityError);
      assertStringIncludes(e.message, "s3://b/k.bin");
      assertEquals(await dataFilesUnder(dir), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});

Deno.test("s3 store: an answer without Content-Length whose ranged GET tells no size either (a re-chunking proxy ignoring Range) is refused as unverifiable, naming why", async () => {
  const body = new TextEncoder().encode("hello");
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
    // A stream body: Deno sends it chunked, without Content-Length.
    new Response(new Blob([body]).stream(), {
      headers: { etag: '"5d41402abc4b2a76b9719d911017c592"' },
    }));
  await using store = new S3Store({
    bucket: "b",
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const error = await store.get("k.txt").then(() => undefined, (e) => e);
  assertEquals(error?.name, "IntegrityError", String(error));
  assertStringIncludes(error.message, "s3://b/k.txt");
  assertStringIncludes(error.message, "no Content-Length");
});
