/**
 * A file sent in a part with no `name` (`Content-Disposition: form-data;
 * filename="a.tsv"`, a hand-made form) was told it `came in the field ""`,
 * a field no client sent: it is said as a part with no name.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { readFilePart } from "../src/server/multipart.ts";
import { HttpError } from "../src/server/http_error.ts";

function body(parts: string[]): ReadableStream<Uint8Array> {
  return new Response(parts.map((p) => `--XX\r\n${p}\r\n`).join("") + "--XX--\r\n").body!;
}
const NAMELESS = 'Content-Disposition: form-data; filename="a.tsv"\r\n\r\na\tb\n';
const TEXT = 'Content-Disposition: form-data; name="file"\r\n\r\na.tsv';

Deno.test('multipart: a file in a part with no name is said so, not as the field ""', async () => {
  const cases: [string[], string][] = [
    [
      [NAMELESS],
      'multipart body has no "file" field: the file "a.tsv" came in a part with no name; ' +
      'send it in the field "file"',
    ],
    [
      [TEXT, NAMELESS],
      'multipart field "file" came as text, not as a file (its part has no filename): the file ' +
      '"a.tsv" came in a part with no name; send it in the field "file"',
    ],
  ];
  for (const [parts, message] of cases) {
    const e = await assertRejects(
      () => readFilePart(body(parts), "multipart/form-data; boundary=XX"),
      HttpError,
    );
    assertEquals([e.status, e.message], [400, message]);
  }
});

Deno.test("multipart: a file of over the fields' limit in a part with no name is said so", async () => {
  const big = `Content-Disposition: form-data; filename="a.tsv"\r\n\r\n${"x".repeat(4096)}`;
  const e = await assertRejects(
    () => readFilePart(body([big]), "multipart/form-data; boundary=XX", { maxOverheadBytes: 1024 }),
    HttpError,
  );
  assertEquals(
    [e.status, e.message],
    [
      413,
      'a part with no name (file "a.tsv") passes the 1024 bytes allowed for fields other than ' +
      '"file": send the file in the field "file"',
    ],
  );
});
