/**
 * A body that ends, as its Content-Length or last chunk says, inside the
 * file part (a hand-made form with no `--BOUNDARY--` after the file) was
 * told only `upload was cut off before the end of the file`, as if the
 * network had lost it: sent again, it failed the same way. The 400 also
 * says what the form lacks, its line break shown (a bare LF before
 * `--BOUNDARY` in a CRLF body is no delimiter).
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { readFilePart } from "../src/server/multipart.ts";
import { HttpError } from "../src/server/http_error.ts";

const FORM = '--XX\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n' +
  "A".repeat(1000) + "\r\n";

Deno.test("multipart: a body that ends in the file part names the delimiter line it lacks", async () => {
  // Default reads and reads into the reader's own buffer (Deno.serve's bodies).
  for (const byob of [false, true]) {
    const body = byob
      ? new ReadableStream<Uint8Array>({
        type: "bytes",
        pull(c) {
          c.enqueue(new TextEncoder().encode(FORM));
          c.close();
        },
      })
      : new Response(FORM).body!;
    const e = await assertRejects(
      async () => {
        const part = await readFilePart(body, "multipart/form-data; boundary=XX", {
          inPlace: byob,
        });
        await new Response(part.body).arrayBuffer();
      },
      HttpError,
    );
    assertEquals(e.status, 400);
    assertStringIncludes(e.message, "upload was cut off before the end of the file");
    assertStringIncludes(
      e.message,
      'the body ended with no "\\r\\n--XX" after it (a form ends with "\\r\\n--XX--")',
      `byob ${byob}`,
    );
  }
});
