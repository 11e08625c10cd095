/**
 * An upload whose bytes a proxy (or a bad link) damaged on the way to the
 * service was stored as it arrived: the service's MD5 is taken of the bytes
 * it received, so every later download passed its check and handed out the
 * damaged file as good. Now `CacheClient.put` sends the MD5 of the file it
 * sent in a `file_md5` field after the file, and the service refuses (400)
 * a file whose bytes do not have it: nothing is stored, the previous file
 * stays; the client sends it again (within `maxAttempts`), as a download
 * damaged on the way is fetched again. A form without the field (KBase's
 * clients, curl) is stored as before.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CacheClient, CacheServiceError } from "../src/server/client.ts";
import { startService } from "./server_helpers.ts";

const SIZE = 300_000;

/**
 * A proxy in front of `target` that flips one byte of the file in each
 * upload (the middle of a run of "a"s) while `state.damage` is set.
 */
function damagingProxy(
  target: string,
  state: { damage: boolean; uploads?: number; damageFirst?: boolean },
): Deno.HttpServer & { url: string } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    let body = req.body === null ? null : new Uint8Array(await req.arrayBuffer());
    const upload = req.method === "POST" && url.pathname.startsWith("/v1/cache/");
    if (upload) state.uploads = (state.uploads ?? 0) + 1;
    if (upload && (state.damage || (state.damageFirst && state.uploads === 1)) && body) {
      const at = body.indexOf(0x61) + SIZE / 2;
      body = body.slice();
      body[at] = 0x62;
    }
    const headers = new Headers(req.headers);
    headers.delete("content-length");
    headers.delete("host");
    const res = await fetch(`${target}${url.pathname}`, {
      method: req.method,
      headers,
      ...(body === null ? {} : { body }),
    });
    return new Response(res.body, { status: res.status, headers: res.headers });
  });
  return Object.assign(server, { url: `http://127.0.0.1:${server.addr.port}` });
}

Deno.test("CacheClient.put: a file damaged on the way is refused, the previous file kept", async () => {
  await using t = await startService();
  const proxy = { damage: false };
  await using server = damagingProxy(t.url, proxy);
  const client = new CacheClient({ url: server.url, token: t.tokens.alice, maxAttempts: 1 });
  const { cacheId } = await client.id({ damaged: 1 });
  await client.put(cacheId, new TextEncoder().encode("previous"), { filename: "r.txt" });
  proxy.damage = true;
  const content = new Uint8Array(SIZE).fill(0x61);
  const path = join(t.dir, "out.bin");
  await Deno.writeFile(path, content);
  const bodies = {
    bytes: () => content,
    file: () => ({ path }),
    stream: () => ReadableStream.from([content.subarray(0, 1000), content.subarray(1000)]),
  };
  for (const [kind, body] of Object.entries(bodies)) {
    const e = await assertRejects(() => client.put(cacheId, body()), CacheServiceError, undefined);
    assertEquals(e.status, 400, `${kind}: ${e.message}`);
    assertStringIncludes(e.message, "damaged on the way", kind);
    assertStringIncludes(e.message, "nothing was stored", kind);
    assertEquals(
      new TextDecoder().decode(await client.getBytes(cacheId)),
      "previous",
      `${kind}: the damaged file was stored`,
    );
  }
  // Undamaged, each kind of body is stored whole.
  proxy.damage = false;
  for (const [kind, body] of Object.entries(bodies)) {
    await client.put(cacheId, body());
    assertEquals(await client.getBytes(cacheId), content, kind);
  }
});

Deno.test("CacheClient.put: an upload damaged once on the way is sent again and stored", async () => {
  await using t = await startService();
  const proxy = { damage: false, damageFirst: true, uploads: 0 };
  await using server = damagingProxy(t.url, proxy);
  const client = new CacheClient({ url: server.url, token: t.tokens.alice, maxAttempts: 2 });
  const { cacheId } = await client.id({ damaged: 3 });
  const content = new Uint8Array(SIZE).fill(0x61);
  await client.put(cacheId, content);
  assertEquals(proxy.uploads, 2);
  assertEquals(await client.getBytes(cacheId), content);
});

Deno.test("serve: a file_md5 field that is no MD5, or not the file's, is refused, nothing stored", async () => {
  await using t = await startService();
  const client = new CacheClient({ url: t.url, token: t.tokens.alice });
  const { cacheId } = await client.id({ damaged: 2 });
  const form = new FormData();
  form.append("file", new Blob(["hello"]), "a.txt");
  form.append("file_md5", "not-an-md5");
  const res = await fetch(`${t.url}/v1/cache/${cacheId}`, {
    method: "POST",
    headers: { authorization: t.tokens.alice },
    body: form,
  });
  const doc = await res.json();
  assertEquals(res.status, 400, JSON.stringify(doc));
  assertStringIncludes(doc.error, "file_md5");
  assertEquals(await client.getBytes(cacheId), undefined);
  // The right MD5 (any case) stores the file.
  const good = new FormData();
  good.append("file", new Blob(["hello"]), "a.txt");
  good.append("file_md5", "5D41402ABC4B2A76B9719D911017C592");
  const stored = await fetch(`${t.url}/v1/cache/${cacheId}`, {
    method: "POST",
    headers: { authorization: t.tokens.alice },
    body: good,
  });
  assertEquals(stored.status, 200, await stored.text());
  assertEquals(new TextDecoder().decode(await client.getBytes(cacheId)), "hello");
  // Sent before the file (`curl -F file_md5=… -F file=@…`), it is checked all the same.
  const before = new FormData();
  before.append("file_md5", "5d41402abc4b2a76b9719d911017c592");
  before.append("file", new Blob(["hellO"]), "a.txt");
  const refused = await fetch(`${t.url}/v1/cache/${cacheId}`, {
    method: "POST",
    headers: { authorization: t.tokens.alice },
    body: before,
  });
  const why = await refused.json();
  assertEquals(refused.status, 400, JSON.stringify(why));
  assertStringIncludes(why.error, "the file was damaged on the way");
  assertEquals(new TextDecoder().decode(await client.getBytes(cacheId)), "hello");
});

Deno.test("serve: a file_md5 field sent twice, or longer than an MD5, is refused naming it, nothing stored", async () => {
  await using t = await startService();
  const client = new CacheClient({ url: t.url, token: t.tokens.alice });
  const { cacheId } = await client.id({ damaged: 3 });
  const GOOD = "5d41402abc4b2a76b9719d911017c592";
  const post = async (fields: [string, string | Blob][]) => {
    const form = new FormData();
    for (const [name, value] of fields) {
      if (value instanceof Blob) form.append(name, value, "a.txt");
      else form.append(name, value);
    }
    const res = await fetch(`${t.url}/v1/cache/${cacheId}`, {
      method: "POST",
      headers: { authorization: t.tokens.alice },
      body: form,
    });
    return { status: res.status, doc: await res.json() };
  };
  const hello = new Blob(["hello"]);
  // Which one would the client mean? The last one won: a wrong MD5 after a
  // right one was "damaged on the way", a right one after a wrong one stored.
  for (
    const fields of [
      [["file_md5", "0".repeat(32)], ["file", hello], ["file_md5", GOOD]],
      [["file_md5", GOOD], ["file_md5", GOOD], ["file", hello]],
      [["file", hello], ["file_md5", GOOD], ["file_md5", "0".repeat(32)]],
    ] as [string, string | Blob][][]
  ) {
    const { status, doc } = await post(fields);
    assertEquals(status, 400, JSON.stringify(doc));
    assertStringIncludes(doc.error, 'more than one multipart field "file_md5"');
  }
  // 5 MB where 32 hex digits belong: said as that field, not as the form's
  // 1 MiB of other fields.
  for (
    const huge of [[["file_md5", "f".repeat(5_000_000)], ["file", hello]], [["file", hello], [
      "file_md5",
      "f".repeat(5_000_000),
    ]]] as [string, string | Blob][][]
  ) {
    const { status, doc } = await post(huge);
    assertEquals(status, 400, JSON.stringify(doc));
    assertStringIncludes(doc.error, 'multipart field "file_md5" is longer than');
  }
  assertEquals(await client.getBytes(cacheId), undefined);
});
