/**
 * A form whose `file` field came as text (`curl -F file=result.tsv`, the
 * `@` forgotten, or a form's text input named `file`) while the file itself
 * came in another field (`upload`, `File`) was told only that `file` came as
 * text, not where the file went: the text part was refused as soon as it
 * was read, before the file part after it. The 400 now names the field the
 * file came in and its filename, whichever part comes first, as the
 * "no `file` field" 400 does; the text part alone is told as before, and
 * with a file in `file` too it is one of two `file` fields, as a text part
 * after the file is.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { readFilePart } from "../src/server/multipart.ts";
import { HttpError } from "../src/server/http_error.ts";

function body(parts: string[]): ReadableStream<Uint8Array> {
  return new Response(parts.map((p) => `--XX\r\n${p}\r\n`).join("") + "--XX--\r\n").body!;
}
const TEXT = 'Content-Disposition: form-data; name="file"\r\n\r\nresult.tsv';
const FILE = 'Content-Disposition: form-data; name="upload"; filename="result.tsv"\r\n' +
  "Content-Type: text/plain\r\n\r\na\tb\n";

Deno.test("multipart: a text file field names the field the file came in, before or after it", async () => {
  for (const parts of [[TEXT, FILE], [FILE, TEXT]]) {
    const e = await assertRejects(
      () => readFilePart(body(parts), "multipart/form-data; boundary=XX"),
      HttpError,
    );
    assertEquals(e.status, 400);
    assertStringIncludes(e.message, 'multipart field "file" came as text, not as a file');
    assertStringIncludes(e.message, 'the file "result.tsv" came in the field "upload"');
  }
  // Alone, as before.
  const alone = await assertRejects(
    () => readFilePart(body([TEXT]), "multipart/form-data; boundary=XX"),
    HttpError,
  );
  assertStringIncludes(alone.message, 'multipart field "file" came as text, not as a file');
  assertStringIncludes(alone.message, "curl -F file=@PATH");
  // Followed by a file in the field "file" too: two of them, as a file and a text after it are.
  const fileToo = FILE.replace('name="upload"', 'name="file"');
  for (const parts of [[TEXT, fileToo], [fileToo, TEXT]]) {
    const e = await assertRejects(async () => {
      const part = await readFilePart(body(parts), "multipart/form-data; boundary=XX");
      await new Response(part.body).arrayBuffer();
    }, HttpError);
    assertStringIncludes(e.message, 'more than one "file" field');
  }
});
