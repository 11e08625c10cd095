/**
 * A proxy between vc and S3 that compresses answers (`Content-Encoding:
 * gzip`) hands vc other bytes than the object's, the same bytes on every
 * try. The download's error said they were "what the store holds, not
 * damage on the way", blaming the store for what the proxy did; the cache
 * service answered that "the store returned damaged bytes (their MD5 ...)"
 * when it had compared only sizes. Both now say the bytes differ from what
 * the store describes and that something between may have coded them.
 */
import { gzipSync } from "node:zlib";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { S3Store } from "../src/store/s3.ts";
import { downloadToFile } from "../src/store/download.ts";
import { IntegrityError } from "../src/errors.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

function s3Store(endpoint: string): S3Store {
  return new S3Store({
    bucket: "b",
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    http1: true,
  });
}

/** A reverse proxy to `target` that gzips the bodies of 200 answers to GETs under `data`/`obj`. */
function gzipProxy(target: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (req) => {
    const u = new URL(req.url);
    const res = await fetch(new URL(u.pathname + u.search, target), {
      method: req.method,
      headers: req.headers,
      body: req.body,
      redirect: "manual",
    });
    if (req.method !== "GET" || res.status !== 200 || !/\/(obj|data\/)/.test(u.pathname)) {
      return res;
    }
    const body = new Uint8Array(gzipSync(new Uint8Array(await res.arrayBuffer())));
    const headers = new Headers(res.headers);
    headers.set("content-encoding", "gzip");
    headers.set("content-length", String(body.length));
    return new Response(body, { status: 200, headers });
  });
}

const data = new Uint8Array(5000).map((_, i) => (i * 7) % 251);

Deno.test("download through a gzipping proxy: the error does not blame the store", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ buckets: ["b"], credentials: false });
  const proxy = gzipProxy(s3.url);
  const direct = s3Store(s3.url);
  const store = s3Store(`http://127.0.0.1:${proxy.addr.port}`);
  const dir = await Deno.makeTempDir();
  try {
    await direct.put("obj", data);
    const error = await assertRejects(
      () => downloadToFile(store, "obj", `${dir}/out`),
      IntegrityError,
    );
    assert(!error.message.includes("what the store holds"), error.message);
    assertStringIncludes(error.message, "Content-Encoding: gzip");
    assertStringIncludes(error.message, "differ from what the store describes");
    assertStringIncludes(error.message, "something between");
    assertEquals([...Deno.readDirSync(dir)], []);
  } finally {
    await store.close();
    await direct.close();
    await proxy.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve over a gzipping proxy: the 503 names the coding, not damage in the store", async () => {
  // The proxy sends requests on to the fake's own host:port, not the one
  // signed for (fetch sets Host), so signatures cannot be checked there.
  await using s3 = await startFakeS3({ buckets: ["b"], credentials: false });
  const proxy = gzipProxy(s3.url);
  try {
    await using t = await startService({ store: s3Store(`http://127.0.0.1:${proxy.addr.port}`) });
    const id = (await newCacheId(t.url, t.tokens.alice, { k: 1 })).doc.cache_id as string;
    assertEquals((await upload(t.url, t.tokens.alice, id, data)).status, 200);
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: t.tokens.alice },
    });
    assertEquals(res.status, 503);
    const { error } = await res.json();
    assert(!error.includes("store returned damaged bytes"), error);
    assertStringIncludes(error, "Content-Encoding: gzip");
    assertStringIncludes(error, "something between the service and the store");
  } finally {
    await proxy.shutdown();
  }
});
