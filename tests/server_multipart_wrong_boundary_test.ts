/**
 * A hand-built upload whose body was written with another boundary than its
 * `Content-Type` names (a header set by hand, a boundary pasted from another
 * request) got 400 `malformed multipart body: missing boundary delimiter`,
 * which names neither the boundary looked for nor the likely cause.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { readFilePart } from "../src/server/multipart.ts";
import { HttpError } from "../src/server/http_error.ts";

const body = (text: string) => new Response(text).body!;

Deno.test("multipart: a body without the Content-Type's boundary gets a 400 naming that boundary", async () => {
  const form = '--XX\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\n\r\n' +
    "hello\r\n--XX--\r\n";
  const e = await assertRejects(
    () => readFilePart(body(form), "multipart/form-data; boundary=YY"),
    HttpError,
  );
  assertEquals(e.status, 400);
  assertStringIncludes(e.message, 'no "--YY" line');
  assertStringIncludes(e.message, "another boundary than its Content-Type");
});

Deno.test("multipart: a form cut off after its file part still says its closing delimiter is missing", async () => {
  // The file part's delimiter is there: the error is about what follows it.
  const form = '--XX\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\n\r\n' +
    'hello\r\n--XX\r\nContent-Disposition: form-data; name="note"\r\n\r\nno end';
  const part = await readFilePart(body(form), "multipart/form-data; boundary=XX");
  const e = await assertRejects(() => new Response(part.body).text(), HttpError);
  assertEquals(e.status, 400);
  assertEquals(e.message.includes("another boundary than its Content-Type"), false, e.message);
});
