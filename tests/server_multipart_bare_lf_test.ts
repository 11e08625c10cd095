/**
 * Multipart bodies with bare-LF line endings (hand-written clients; RFC 2046
 * asks for CRLF, which browsers, curl `-F` and Python's requests send): the
 * first delimiter line's ending decides the body's, so an LF body's file
 * ends at `LF--boundary` and a CRLF body's only at `CRLF--boundary` (file
 * bytes holding `LF--boundary` stay the file's). Checked on the reader,
 * whatever the chunking (the line ending split across chunks included), and
 * over real HTTP with the stored bytes read back.
 */
import { HttpError } from "../src/server/http_error.ts";
import { readFilePart } from "../src/server/multipart.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { newCacheId, startService } from "./server_helpers.ts";

const enc = new TextEncoder();
const B = "vcLf9x";
const TYPE = `multipart/form-data; boundary=${B}`;

/** File content with CRLF and LF lines, a lone CR at the end and near-misses of both delimiters. */
const CONTENT = `a\r\nb\nc\n-${B}\n--${B.slice(0, -1)}\r\n--x\r`;
/** Content a CRLF body may hold: LF--boundary lines, closing one included. */
const LF_LOOKALIKES = `x\n--${B}\nContent-Disposition: form-data; name="file"\n\n--${B}--\ny`;

function body(eol: string, content: string, extra = ""): Uint8Array {
  return enc.encode(
    `--${B}${eol}Content-Disposition: form-data; name="note"${eol}${eol}hi${eol}` +
      `--${B}${eol}Content-Disposition: form-data; name="file"; filename="f.txt"${eol}` +
      `Content-Type: text/plain${eol}${eol}${content}${eol}${extra}--${B}--${eol}`,
  );
}

function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (let o = 0; o < bytes.length; o += size) chunks.push(bytes.slice(o, o + size));
  return ReadableStream.from(chunks);
}

async function fileOf(bytes: Uint8Array, size: number): Promise<string> {
  const part = await readFilePart(chunked(bytes, size), TYPE);
  assertEquals(part.filename, "f.txt");
  assertEquals(part.contentType, "text/plain");
  return await new Response(part.body).text();
}

Deno.test("multipart: a bare-LF body is read, its file's bytes exact, in any chunking", async () => {
  for (const size of [1, 2, 3, 7, 1000]) {
    assertEquals(await fileOf(body("\n", CONTENT), size), CONTENT, `chunks of ${size}`);
    assertEquals(await fileOf(body("\r\n", CONTENT), size), CONTENT, `CRLF, chunks of ${size}`);
    assertEquals(
      await fileOf(body("\r\n", LF_LOOKALIKES), size),
      LF_LOOKALIKES,
      `CRLF with LF--boundary in the file, chunks of ${size}`,
    );
  }
});

Deno.test("multipart: malformed bare-LF bodies get the clear errors", async () => {
  const error = async (bytes: Uint8Array, message: string) => {
    const e = await assertRejects(async () => {
      const part = await readFilePart(chunked(bytes, 5), TYPE);
      await new Response(part.body).arrayBuffer();
    }, HttpError);
    assertStringIncludes(e.message, message);
  };
  await error(enc.encode(`--${B}`), "ends without the closing delimiter");
  await error(
    enc.encode(`--${B}\nContent-Disposition: form-data; name="file"`),
    "inside part headers",
  );
  await error(
    enc.encode(`--${B}\nContent-Disposition: form-data; name="file"; filename="f"\n\nvalue`),
    "cut off",
  );
  // Cut off after the file: the rest of the body never closes.
  await error(
    enc.encode(`--${B}\nContent-Disposition: form-data; name="file"; filename="f"\n\nv\n--${B}`),
    "ends without the closing delimiter",
  );
  // A second file field, as in a CRLF body.
  await error(
    body("\n", "v", `--${B}\nContent-Disposition: form-data; name="file"; filename="g"\n\nw\n`),
    "more than one",
  );
  // A CRLF body whose file ends with a bare LF delimiter: the file never ends.
  await error(
    enc.encode(
      `--${B}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nv\n--${B}--\n`,
    ),
    "cut off",
  );
});

Deno.test("vc serve stores a bare-LF upload exactly, and a CRLF one holding LF--boundary intact", async () => {
  await using t = await startService();
  for (
    const [what, bytes, content] of [
      ["bare LF", body("\n", CONTENT), CONTENT],
      ["CRLF with LF--boundary inside", body("\r\n", LF_LOOKALIKES), LF_LOOKALIKES],
    ] as const
  ) {
    const id = (await newCacheId(t.url, t.tokens.alice, { lf: what })).doc.cache_id as string;
    const res = await fetch(`${t.url}/v1/cache/${id}`, {
      method: "POST",
      headers: { authorization: t.tokens.alice, "content-type": TYPE },
      body: bytes as BodyInit,
    });
    assertEquals(res.status, 200, `${what}: ${await res.clone().text()}`);
    await res.body?.cancel();
    const got = await fetch(`${t.url}/v1/cache/${id}`, {
      headers: { authorization: t.tokens.alice },
    });
    assertEquals(got.status, 200, what);
    assertEquals(await got.text(), content, what);
  }
});
