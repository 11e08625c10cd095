/**
 * A store (or a proxy before it) that answers with NUL, a bare CR or
 * another control character in a header value: vc's own HTTP/1.1 client
 * (small requests to an `http:` endpoint) passed such values on, as fetch
 * does not, so an ETag `"…"\0` or `"…"\rcontent-length: 5` (a second header
 * hidden inside the value, which another reader on the way takes as one)
 * was recorded as the entry's ETag and the object cached. RFC 9110 has a
 * recipient reject such a message: vc refuses the answer, naming the
 * object and the endpoint, and caches nothing.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { S3Store } from "../src/store/s3.ts";
import { StoreError } from "../src/errors.ts";
import { withWorkspace } from "./cli_process.ts";
import { type RawServer, rawServer } from "./raw_server.ts";

const BODY = "hello world\n";
const MD5 = "6f5902ac237024bdd0c176cb93063dc4";

const HEADS: Record<string, string> = {
  nul: `etag: "${MD5}\0"`,
  cr: `etag: "${MD5}"\rcontent-length: 5`,
  esc: `etag: "${MD5}\x1b[31m"`,
  meta: `etag: "${MD5}"\r\nx-amz-meta-vc-md5: ${MD5}\0`,
  // At the value's end or start, where trimming its spaces took it away.
  trailing: `etag: "${MD5}"\r`,
  leading: `etag:\x0b"${MD5}"`,
  name: `et\0ag: "${MD5}"`,
};

/** Heads that are fine: a tab inside a value, obs-text (UTF-8 bytes, 0x80 and up). */
const GOOD: Record<string, string> = {
  tab: `etag: "${MD5}"\r\nx-amz-meta-note: a\tb`,
  obs: `etag: "${MD5}"\r\nx-amz-meta-note: caf\u00e9 \u00a0`,
};

/** A raw TCP server answering each request with the head `HEADS[key]` (or `GOOD[key]`) for its key. */
function headServer(): RawServer {
  const enc = new TextEncoder();
  return rawServer(async (conn) => {
    const buf = new Uint8Array(64 * 1024);
    let text = "";
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) return;
        text += new TextDecoder().decode(buf.subarray(0, n));
        while (text.includes("\r\n\r\n")) {
          const end = text.indexOf("\r\n\r\n") + 4;
          const [method, path] = text.split(" ");
          text = text.slice(end);
          const key = path!.split("/").at(-1)!;
          const head =
            `HTTP/1.1 200 OK\r\n${HEADS[key] ?? GOOD[key]}\r\ncontent-length: ${BODY.length}\r\n` +
            `x-amz-request-id: r1\r\n\r\n`;
          const bytes = enc.encode(head + (method === "HEAD" ? "" : BODY));
          for (let o = 0; o < bytes.length;) o += await conn.write(bytes.subarray(o));
        }
      }
    } finally {
      try {
        conn.close();
      } catch { /* closed by the server's dispose */ }
    }
  });
}

/** A store of bucket `b` at `server`, through the own HTTP/1.1 client or fetch, one attempt. */
function storeAt(server: RawServer, http1: boolean): S3Store {
  return new S3Store({
    bucket: "b",
    endpoint: server.url,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
    http1,
  });
}

Deno.test("S3Store: an answer with a control character in a header value is refused, naming the object and endpoint", async () => {
  await using server = headServer();
  for (const http1 of [false, true]) {
    await using store = storeAt(server, http1);
    for (const key of Object.keys(HEADS)) {
      for (
        const [what, call] of [["get", () => store.get(key)], [
          "head",
          () => store.head(key),
        ]] as const
      ) {
        const error = await assertRejects(() => call(), StoreError);
        const label = `http1 ${http1}, ${what} ${key}: ${error.message}`;
        assertStringIncludes(error.message, `s3://b/${key}`, label);
        assertStringIncludes(error.message, `127.0.0.1:${server.port}`, label);
        // fetch refuses them itself ("invalid HTTP header parsed").
        if (http1) assertStringIncludes(error.message, "control character", label);
        assert(!["\0", "\r", "\x1b"].some((c) => error.message.includes(c)), label);
      }
    }
  }
});

Deno.test("S3Store: a tab and obs-text in a header value are taken as they came", async () => {
  await using server = headServer();
  for (const http1 of [false, true]) {
    await using store = storeAt(server, http1);
    const tab = await store.head("tab");
    assertEquals(tab?.metadata?.note, "a\tb", `http1 ${http1}`);
    // Both clients read a head's bytes as Latin-1; NBSP at the end is no space around the value.
    const obs = await store.head("obs");
    const utf8 = new TextEncoder().encode("caf\u00e9 \u00a0");
    assertEquals(obs?.metadata?.note, String.fromCharCode(...utf8), `http1 ${http1}`);
  }
});

Deno.test("vc cache get: an ETag with a NUL or a bare CR caches nothing", async () => {
  await using server = headServer();
  await withWorkspace(async (dir, vc) => {
    const env = {
      AWS_ENDPOINT_URL: `http://127.0.0.1:${server.port}`,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_REGION: "us-east-1",
      AWS_MAX_ATTEMPTS: "1",
      VC_CACHE_DIR: `${dir}/cache`,
    };
    for (const key of ["nul", "cr"]) {
      const r = await vc(["cache", "get", `s3://b/${key}`], env);
      assert(r.code === 1, r.stderr);
      assertStringIncludes(r.stderr, "control character");
    }
    // Neither the data nor a partial temp file beside it.
    const names: string[] = [];
    try {
      for await (const e of Deno.readDir(`${dir}/cache/s3@127.0.0.1_${server.port}/b`)) {
        names.push(e.name);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    assert(names.length === 0, names.join("\n"));
  });
});
