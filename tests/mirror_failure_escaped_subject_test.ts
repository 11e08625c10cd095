/**
 * A mirror's failure entry says what went wrong without the path or URI it
 * names already (`DELETE failed: 500 InternalError`, not `DELETE
 * s3://b/k failed: …`): the CLI prints it after the path. Once a
 * `VcError`'s message showed its names escaped, a name with a control
 * character in it (`a\x1bb`, `a\u202eb`) no longer matched the raw path, and
 * the entry said the path again, escaped (`DELETE s3://b/a\x1bb failed: …`,
 * `/x/a\u202eb: checksum mismatch`, `(downloading to /x/a\u202eb)`).
 */
import { failure } from "../src/mirror/report.ts";
import { IntegrityError, StoreError } from "../mod.ts";
import { assertEquals } from "./assert.ts";

Deno.test("mirror failure: a path with a control character is not said again in its error", () => {
  for (const name of ["a\x1bb", "a\u202eb", "a\nb"]) {
    const uri = `s3://b/${name}`;
    assertEquals(
      failure(name, uri, new StoreError(`DELETE ${uri} failed: 500 InternalError`)).error,
      "DELETE failed: 500 InternalError; the next run tries it again",
    );
    const path = `/x/${name}`;
    assertEquals(
      failure(name, path, new IntegrityError(`${path}: checksum mismatch`)).error,
      "checksum mismatch",
    );
    assertEquals(
      failure(name, path, new IntegrityError(`short (200 bytes, downloading to ${path})`)).error,
      "short (200 bytes)",
    );
  }
});
