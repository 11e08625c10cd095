/**
 * A Content-Disposition parameter with text after its quoted value
 * (`filename="safe.txt"x.exe`, `filename="a"b.txt"`: a `"` sent unescaped)
 * is refused (400), not cut at the closing quote. The text was skipped, so
 * the service stored `safe.txt` where Python's `email` package and `cgi`
 * read `"safe.txt"x.exe` from the same header: like a parameter given twice
 * or continuations with a gap, a name parsers read differently is refused
 * rather than guessed, and nothing is stored. Browsers, curl and
 * `requests` send a `"` in a filename as `%22`, so they never hit this.
 */
import { HttpError } from "../src/server/http_error.ts";
import { parseDisposition } from "../src/server/multipart.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const TRAILING = [
  [`form-data; name="file"; filename="safe.txt"x.exe`, "x.exe"],
  [`form-data; name="file"; filename="a"b.txt"`, 'b.txt\\"'],
  [`form-data; name="file"; filename="safe.txt" junk; x=1`, "junk"],
  [`form-data; name="file"x; filename="a.txt"`, "x"],
  [`form-data; name="file"; filename="a.txt"; flag`, "flag"],
] as const;

Deno.test("multipart: text after a quoted Content-Disposition value is refused", () => {
  for (const [value, named] of TRAILING) {
    const e = assertThrows(() => parseDisposition(value), HttpError);
    assertEquals(e.status, 400, value);
    assertStringIncludes(e.message, named);
  }
  // Spaces around the separators, a trailing `;`, and unquoted values stay fine.
  assertEquals(
    parseDisposition(`form-data ;  name = "file" ;filename="a b.txt" ; `),
    { name: "file", filename: "a b.txt" },
  );
  assertEquals(parseDisposition(`form-data; name=file; filename=a"b.txt`).filename, 'a"b.txt');
  assertEquals(
    parseDisposition(`form-data; name="file"; filename="a%22b.txt"`).filename,
    'a"b.txt',
  );
  assertEquals(
    parseDisposition(`form-data; name="file"; filename="a\\"b.txt"`).filename,
    'a"b.txt',
  );
});

Deno.test("upload: a filename with text after its closing quote stores nothing", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const id = (await newCacheId(t.url, alice, { job: "trailing" })).doc.cache_id as string;
  assertEquals((await upload(t.url, alice, id, "previous")).status, 200);
  const body = `--b\r\nContent-Disposition: ${TRAILING[0][0]}\r\n\r\nnew bytes\r\n--b--\r\n`;
  const res = await fetch(`${t.url}/v1/cache/${id}`, {
    method: "POST",
    headers: { authorization: alice, "content-type": "multipart/form-data; boundary=b" },
    body,
  });
  assertEquals(res.status, 400);
  assertStringIncludes((await res.json()).error, "x.exe");
  const after = await fetch(`${t.url}/v1/cache/${id}`, { headers: { authorization: alice } });
  assertEquals(await after.text(), "previous");
});
