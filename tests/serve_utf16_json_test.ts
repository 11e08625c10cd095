/**
 * The KBase server reads a `cache_id` body with Python's `json.loads` on its
 * bytes, which tells UTF-16 and UTF-32 (with or without a byte order mark)
 * from UTF-8, so a client sending UTF-16 (.NET's `Encoding.Unicode`,
 * PowerShell) got its ID there; vc answered 400 "not UTF-8". The same
 * parameters now give the same ID in every encoding Python reads.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { startService } from "./server_helpers.ts";

function utf16(text: string, big: boolean, bom: boolean): Uint8Array {
  const units = bom ? [0xfeff] : [];
  for (let i = 0; i < text.length; i++) units.push(text.charCodeAt(i)); // code units, not points
  const out = new Uint8Array(units.length * 2);
  const view = new DataView(out.buffer);
  units.forEach((u, i) => view.setUint16(i * 2, u, !big));
  return out;
}

function utf32(text: string, big: boolean, bom: boolean): Uint8Array {
  const points = [...(bom ? [0xfeff] : []), ...Array.from(text, (c) => c.codePointAt(0)!)];
  const out = new Uint8Array(points.length * 4);
  const view = new DataView(out.buffer);
  points.forEach((p, i) => view.setUint32(i * 4, p, !big));
  return out;
}

async function postId(url: string, token: string, body: Uint8Array) {
  const res = await fetch(`${url}/v1/cache_id`, {
    method: "POST",
    headers: { authorization: token, "content-type": "application/json" },
    body: body as Uint8Array<ArrayBuffer>,
  });
  return { status: res.status, doc: await res.json() };
}

Deno.test("serve: a cache_id body in UTF-16 or UTF-32 gets the ID of the same JSON in UTF-8", async () => {
  await using t = await startService();
  const json = '{"method": "caf\u00e9", "k": 31, "s": "\u{1F600}"}';
  const want = await postId(t.url, t.tokens.alice, new TextEncoder().encode(json));
  assertEquals(want.status, 200);
  const cases: [string, Uint8Array][] = [
    ["UTF-16LE with BOM", utf16(json, false, true)],
    ["UTF-16BE with BOM", utf16(json, true, true)],
    ["UTF-16LE", utf16(json, false, false)],
    ["UTF-16BE", utf16(json, true, false)],
    ["UTF-32LE with BOM", utf32(json, false, true)],
    ["UTF-32BE with BOM", utf32(json, true, true)],
    ["UTF-32LE", utf32(json, false, false)],
    ["UTF-32BE", utf32(json, true, false)],
  ];
  for (const [how, body] of cases) {
    const got = await postId(t.url, t.tokens.alice, body);
    assertEquals(got.status, 200, `${how}: ${JSON.stringify(got.doc)}`);
    assertEquals(got.doc.cache_id, want.doc.cache_id, how);
  }
  // A lone surrogate passes, as Python's surrogatepass lets it: the same ID as its escape.
  const escaped = await postId(t.url, t.tokens.alice, new TextEncoder().encode('{"x": "\\ud800"}'));
  const lone = await postId(t.url, t.tokens.alice, utf16('{"x": "\ud800"}', false, true));
  assertEquals(lone.status, 200);
  assertEquals(lone.doc.cache_id, escaped.doc.cache_id);
  // UTF-16 cut mid-unit is refused, naming what was expected.
  const odd = utf16('{"x": 1}', false, true).slice(0, -1);
  const bad = await postId(t.url, t.tokens.alice, odd);
  assertEquals(bad.status, 400);
  assertStringIncludes(bad.doc.error, "not UTF-8, UTF-16 or UTF-32");
});

Deno.test("serve: a cache_id body with surrogates encoded in UTF-8 gets Python's surrogatepass ID", async () => {
  // Python's json.loads decodes UTF-8 bytes with "surrogatepass": ED A0 80
  // is a lone U+D800 there (a Python client encoding such a string with
  // surrogatepass sends it). vc refused the body as not UTF-8.
  await using t = await startService();
  const enc = new TextEncoder();
  const bytes = (...parts: (string | number[])[]) =>
    new Uint8Array(parts.flatMap((p) => typeof p === "string" ? [...enc.encode(p)] : p));
  const escaped = await postId(t.url, t.tokens.alice, enc.encode('{"x": "\\ud800\\ufeffa"}'));
  assertEquals(escaped.status, 200);
  // With a byte order mark first (dropped) and one after the surrogate (kept), as Python does.
  const bom = [0xef, 0xbb, 0xbf];
  const lone = await postId(
    t.url,
    t.tokens.alice,
    bytes(bom, '{"x": "', [0xed, 0xa0, 0x80], bom, 'a"}'),
  );
  assertEquals([lone.status, lone.doc.cache_id], [200, escaped.doc.cache_id]);
  // A pair encoded as two surrogates (CESU-8) dumps as the character's escapes: the emoji's ID.
  const emoji = await postId(t.url, t.tokens.alice, enc.encode('{"x": "\u{1F600}"}'));
  const cesu = await postId(
    t.url,
    t.tokens.alice,
    bytes('{"x": "', [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], '"}'),
  );
  assertEquals([cesu.status, cesu.doc.cache_id], [200, emoji.doc.cache_id]);
  // Bytes that are not UTF-8 otherwise are still refused, surrogate or not.
  const bad = await postId(t.url, t.tokens.alice, bytes('{"x": "', [0xed, 0xa0, 0x80, 0xe9], '"}'));
  assertEquals(bad.status, 400);
  assertStringIncludes(bad.doc.error, "not UTF-8, UTF-16 or UTF-32");
});
