/**
 * A part header that is not UTF-8 (a filename's Latin-1 bytes, as curl sends
 * a name from a Latin-1 file system) is refused with a 400 that names it and
 * says how to send the name, storing nothing. Before, each undecodable byte
 * became U+FFFD: `café.txt` was stored as `caf\uFFFD.txt`, and distinct
 * names collapsed into one.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const enc = new TextEncoder();

/** A multipart upload whose `file` part's Content-Disposition is given as bytes. */
async function rawUpload(
  url: string,
  token: string,
  id: string,
  disposition: Uint8Array,
): Promise<{ status: number; doc: Record<string, unknown> }> {
  const b = "notUtf8NameBoundary";
  const body = new Uint8Array([
    ...enc.encode(`--${b}\r\nContent-Disposition: `),
    ...disposition,
    ...enc.encode(`\r\nContent-Type: text/plain\r\n\r\nnew bytes\r\n--${b}--\r\n`),
  ]);
  const res = await fetch(`${url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: token, "content-type": `multipart/form-data; boundary=${b}` },
    body,
  });
  return { status: res.status, doc: await res.json() };
}

async function download(url: string, token: string, id: string) {
  const res = await fetch(`${url}/v1/cache/${id}`, { headers: { authorization: token } });
  return { disposition: res.headers.get("content-disposition"), text: await res.text() };
}

Deno.test("upload: a filename in Latin-1 bytes is refused with 400 naming it; the stored file stays", async () => {
  await using svc = await startService();
  const token = svc.tokens.alice;
  const id = (await newCacheId(svc.url, token, { latin1: 1 })).doc.cache_id as string;
  assertEquals((await upload(svc.url, token, id, "old bytes", "old.txt")).status, 200);

  const latin1 = new Uint8Array([
    ...enc.encode('form-data; name="file"; filename="caf'),
    0xe9,
    ...enc.encode('.txt"'),
  ]);
  const refused = await rawUpload(svc.url, token, id, latin1);
  assertEquals(refused.status, 400, JSON.stringify(refused.doc));
  const error = refused.doc.error as string;
  assertStringIncludes(error, 'filename=\\"caf\uFFFD.txt\\"');
  assertStringIncludes(error, "is not UTF-8");
  assertStringIncludes(error, "filename*=UTF-8''");
  assertEquals(await download(svc.url, token, id), {
    disposition: `attachment; filename="old.txt"; filename*=UTF-8''old.txt`,
    text: "old bytes",
  });

  // The same name in UTF-8, or as filename* in ISO-8859-1, is stored as sent.
  const utf8 = enc.encode('form-data; name="file"; filename="café.txt"');
  assertEquals((await rawUpload(svc.url, token, id, utf8)).status, 200);
  assertEquals(
    (await download(svc.url, token, id)).disposition,
    `attachment; filename="cafe.txt"; filename*=UTF-8''caf%C3%A9.txt`,
  );
  const star = enc.encode(`form-data; name="file"; filename*=ISO-8859-1''d%E9j%E0.txt`);
  assertEquals((await rawUpload(svc.url, token, id, star)).status, 200);
  assertEquals(await download(svc.url, token, id), {
    disposition: `attachment; filename="deja.txt"; filename*=UTF-8''d%C3%A9j%C3%A0.txt`,
    text: "new bytes",
  });
});
