/**
 * End-to-end checks of a download's bytes: the service keeps each upload's
 * MD5, sends it as `Repr-Digest` with a whole file, refuses (503) to serve a
 * small file the store damaged, and CacheClient / `vc cache-client get`
 * fail on a large one instead of writing the wrong bytes.
 */
import { IntegrityError } from "../src/errors.ts";
import { gzipSync } from "node:zlib";
import { md5Hex } from "../src/hash.ts";
import { hexToBase64 } from "../src/store/s3_request.ts";
import { CacheClient } from "../src/server/client.ts";
import { reprDigest } from "../src/server/repr_digest.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import type { FaultTarget } from "../src/testing/fake_s3/types.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { DENO_DIR, vcCommand } from "./cli_process.ts";
import { keys, serviceS3Store, startService } from "./server_helpers.ts";

const SMALL = new TextEncoder().encode("a small result\n");

function pattern(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 37 + 11) & 0xff;
  return out;
}
const LARGE = pattern(300 * 1024 + 7);

/** The service on the fake S3, with a small and a large (> 64 KiB) file uploaded. */
async function setUp() {
  const fake = await startFakeS3({ buckets: ["cache"] });
  const t = await startService({ store: serviceS3Store(fake.url, "svc") });
  const client = new CacheClient({ url: t.url, token: t.tokens.alice });
  const small = (await client.id({ file: "small" })).cacheId;
  const large = (await client.id({ file: "large" })).cacheId;
  await client.put(small, SMALL, { filename: "small.txt" });
  await client.put(large, LARGE, { filename: "large.bin" });
  return {
    fake,
    t,
    client,
    small,
    large,
    /** Every GET of a data object comes back with one byte flipped (same length). */
    corruptData() {
      fake.faults = {
        corruptRate: 1,
        match: (target: FaultTarget) => /(^|\/)data\//.test(target.key ?? ""),
      };
    },
    async [Symbol.asyncDispose]() {
      try {
        await t[Symbol.asyncDispose]();
      } finally {
        await fake[Symbol.asyncDispose]();
      }
    },
  };
}

function fileUrl(url: string, id: string): string {
  return `${url}/v1/cache/${id}`;
}

Deno.test("download integrity: every whole file carries its upload's MD5, on GET and HEAD", async () => {
  await using s = await setUp();
  for (const [id, data] of [[s.small, SMALL], [s.large, LARGE]] as const) {
    const want = reprDigest(md5Hex(data));
    const get = await fetch(fileUrl(s.t.url, id), { headers: { authorization: s.t.tokens.alice } });
    assertEquals(get.status, 200);
    assertEquals(get.headers.get("repr-digest"), want);
    assertEquals(md5Hex(new Uint8Array(await get.arrayBuffer())), md5Hex(data));
    const head = await fetch(fileUrl(s.t.url, id), {
      method: "HEAD",
      headers: { authorization: s.t.tokens.alice },
    });
    await head.body?.cancel();
    assertEquals(
      [...head.headers].filter(([k]) => k !== "date" && k !== "x-request-id"),
      [...get.headers].filter(([k]) => k !== "date" && k !== "x-request-id"),
    );
    // A range is not the whole file: no digest to check it by.
    const part = await fetch(fileUrl(s.t.url, id), {
      headers: { authorization: s.t.tokens.alice, range: "bytes=0-3" },
    });
    assertEquals(part.status, 206);
    assertEquals(part.headers.get("repr-digest"), null);
    await part.body?.cancel();
    assertEquals(await s.client.getBytes(id), data);
    const out = `${s.t.dir}/out-${id.slice(0, 8)}`;
    assert(await s.client.download(id, out));
    assertEquals(await Deno.readFile(out), data);
  }
});

Deno.test("download integrity: a small file the store damaged is a 503 with Retry-After", async () => {
  await using s = await setUp();
  s.corruptData();
  const res = await fetch(fileUrl(s.t.url, s.small), {
    headers: { authorization: s.t.tokens.alice },
  });
  const body = await res.text();
  assertEquals(res.status, 503, body);
  assert(res.headers.get("retry-after") !== null);
  assert(body.includes("damaged"), body);
  await assertRejects(() => s.client.getBytes(s.small));
  s.fake.faults = {};
  assertEquals(await s.client.getBytes(s.small), SMALL);
});

Deno.test("download integrity: a large damaged file fails CacheClient with IntegrityError and leaves no file", async () => {
  await using s = await setUp();
  s.corruptData();
  const outDir = `${s.t.dir}/out`;
  await Deno.mkdir(outDir);
  const out = `${outDir}/large.out`;
  const err = await assertRejects(() => s.client.download(s.large, out), IntegrityError);
  assert(err.message.includes(s.large), err.message);
  await assertRejects(() => Deno.stat(out), Deno.errors.NotFound);
  // Nothing of the atomic write's temp file is left beside it either.
  assertEquals(await Array.fromAsync(Deno.readDir(outDir)), []);
  await assertRejects(() => s.client.getBytes(s.large), IntegrityError);
  const res = await s.client.get(s.large);
  await assertRejects(() => res!.arrayBuffer(), IntegrityError);
});

Deno.test("download integrity: `vc cache-client get ID -` exits 1 on a damaged large file", async () => {
  await using s = await setUp();
  s.corruptData();
  const dir = await Deno.makeTempDir({ prefix: "vc_integrity_cli_" });
  try {
    const env = {
      DENO_DIR,
      DENO_NO_UPDATE_CHECK: "1",
      HOME: dir,
      XDG_CONFIG_HOME: `${dir}/.config`,
      VC_CACHE_DIR: `${dir}/cache`,
      NO_COLOR: "1",
      VC_CACHE_URL: s.t.url,
      VC_CACHE_TOKEN: s.t.tokens.alice,
    };
    const run = await vcCommand(dir, env, ["cache-client", "get", s.large, "-"]).output();
    const stderr = new TextDecoder().decode(run.stderr);
    assertEquals(run.code, 1, stderr);
    assert(stderr.includes(s.large) && /MD5/.test(stderr), stderr);
    const toFile = await vcCommand(dir, env, ["cache-client", "get", s.large, "out.bin"]).output();
    assertEquals(toFile.code, 1, new TextDecoder().decode(toFile.stderr));
    await assertRejects(() => Deno.stat(`${dir}/out.bin`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("download integrity: an entry stored without an MD5 is served and downloaded unchecked", async () => {
  await using s = await setUp();
  // Metadata as written before the MD5 was kept.
  const [metaKey] = (await keys(s.t.store, "meta/")).filter((k) => k.includes(s.large));
  const { body } = await s.t.store.get(metaKey!);
  const meta = JSON.parse(await new Response(body).text());
  assert(typeof meta.md5 === "string");
  delete meta.md5;
  await s.t.store.put(metaKey!, new TextEncoder().encode(JSON.stringify(meta)));
  const fresh = new CacheClient({ url: s.t.url, token: s.t.tokens.alice });
  const res = await fresh.get(s.large);
  assertEquals(res?.headers.get("repr-digest"), null);
  assertEquals(new Uint8Array(await res!.arrayBuffer()), LARGE);
});

Deno.test("download integrity: CacheClient checks no digest it cannot read as the bytes it sees", async () => {
  // Another server (or an RFC 9530 proxy): each answer is a good download.
  const plain = new TextEncoder().encode("a result that compresses well\n".repeat(200));
  const gz = new Uint8Array(gzipSync(plain));
  const b64 = (b: Uint8Array) => hexToBase64(md5Hex(b));
  const answers: Record<string, () => Response> = {
    // A coded representation's digest is of the coded bytes, which fetch decodes.
    gzip: () =>
      new Response(gz, {
        headers: { "content-encoding": "gzip", "repr-digest": `md5=:${b64(gz)}:` },
      }),
    // A dictionary's repeated key: the last member counts (RFC 8941).
    repeated: () =>
      new Response(plain, {
        headers: { "repr-digest": `md5=:${b64(gz)}:, sha-256=:AAAA:, md5=:${b64(plain)}:` },
      }),
    // Malformed or with parameters: nothing this can check.
    malformed: () => new Response(plain, { headers: { "repr-digest": "md5=:not base64!:" } }),
    parameters: () =>
      new Response(plain, { headers: { "repr-digest": `md5=:${b64(gz)}:;by=proxy` } }),
  };
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    (req) => answers[new URL(req.url).searchParams.get("a") ?? ""]!(),
  );
  try {
    const id = "a".repeat(64);
    for (const name of Object.keys(answers)) {
      const client = new CacheClient({
        url: `http://127.0.0.1:${server.addr.port}`,
        token: "t",
        fetch: (input, init) => fetch(`${String(input)}?a=${name}`, init),
      });
      assertEquals(await client.getBytes(id), plain, name);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("download integrity: a large file whose data object was replaced by one of another size is a 503, not a cut or a mix", async () => {
  await using s = await setUp();
  const store = serviceS3Store(s.fake.url, "svc");
  const [data] = (await Array.fromAsync(store.list(`data/${s.large}/`))).map((o) => o.key);
  assert(data !== undefined);
  // Longer: relayed under the upload's Content-Length, curl saved the first
  // bytes of the other object with exit 0; shorter: it arrived cut off.
  for (const size of [LARGE.length + 1000, LARGE.length - 1000]) {
    await store.put(data, pattern(size).reverse());
    for (const range of [undefined, "bytes=0-99"]) {
      const res = await fetch(fileUrl(s.t.url, s.large), {
        headers: { authorization: s.t.tokens.alice, ...(range === undefined ? {} : { range }) },
      });
      const body = await res.text();
      assertEquals(res.status, 503, `${size} ${range}: ${body}`);
      assert(body.includes("damaged"), body);
    }
  }
  // An upload puts it right.
  await s.client.put(s.large, LARGE, { filename: "large.bin" });
  assertEquals(await s.client.getBytes(s.large), LARGE);
});

Deno.test("download integrity: a large file damaged once on the way is fetched again by download and getBytes", async () => {
  await using s = await setUp();
  const client = new CacheClient({ url: s.t.url, token: s.t.tokens.alice, retryBaseDelayMs: 1 });
  const data = (target: FaultTarget) =>
    target.op === "GetObject" && /(^|\/)data\//.test(target.key ?? "");
  // One byte flipped in one answer: noise on the way, which the next answer lacks.
  s.fake.failNext(1, "corrupt", data);
  const out = `${s.t.dir}/large.out`;
  assert(await client.download(s.large, out));
  assertEquals(await Deno.readFile(out), LARGE);
  s.fake.failNext(1, "corrupt", data);
  assertEquals(await client.getBytes(s.large), LARGE);
});

Deno.test("download integrity: the same damaged bytes twice are the store's: download stops, saying so", async () => {
  await using s = await setUp();
  const client = new CacheClient({ url: s.t.url, token: s.t.tokens.alice, retryBaseDelayMs: 1 });
  const store = serviceS3Store(s.fake.url, "svc");
  const [data] = (await Array.fromAsync(store.list(`data/${s.large}/`))).map((o) => o.key);
  assert(data !== undefined);
  // Rewritten behind the service's back at the same size: every answer alike.
  await store.put(data, pattern(LARGE.length).reverse());
  const downloads = () => s.t.logs.filter((l) => JSON.parse(l).method === "GET").length;
  const before = downloads();
  const out = `${s.t.dir}/large.out`;
  const err = await assertRejects(() => client.download(s.large, out), IntegrityError);
  assert(err.message.includes("the same bytes came 2 times"), err.message);
  assert(err.message.includes("gave up after 2 attempts"), err.message);
  // Not told to try again: a third answer would bring the same bytes.
  assert(!err.message.includes("try again"), err.message);
  assertEquals(downloads() - before, 2);
  await assertRejects(() => Deno.stat(out), Deno.errors.NotFound);
  await assertRejects(() => client.getBytes(s.large), IntegrityError);
});
