/**
 * A Windows drive path written with forward slashes doubled
 * (`C://data/x.csv`, which Windows opens as `C:\data\x.csv`) is a path, not
 * a URI of an unknown scheme `c`: `parseUri` said "unsupported scheme", while
 * the settings that name local paths (`isUriNotPath`) took it as a path. The
 * two now agree: a scheme has two characters or more.
 */
import { assertEquals, assertThrows } from "./assert.ts";
import { parseStoreRoot, parseUri } from "../src/uri.ts";
import { isUriNotPath } from "../src/path.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("parseUri: a drive letter before // is a local path, as isUriNotPath has it", () => {
  for (const path of ["C://data/x.csv", "c://x", "D://cache"]) {
    assertEquals(parseUri(path), { scheme: "local", path });
    assertEquals(parseStoreRoot(path), { scheme: "local", path });
  }
  for (const value of ["C://x", "C:\\x", "C:/x", "s3://b/k", "file:///x", "ab://x", "gs://b/k"]) {
    let local: boolean;
    try {
      local = parseUri(value).scheme === "local";
    } catch {
      local = false; // an unknown scheme: a URI all the same
    }
    assertEquals(local, !isUriNotPath(value), value);
  }
  // Two letters and more are still schemes: refused when unknown.
  assertThrows(() => parseUri("ab://x"), InvalidInputError, 'unsupported scheme "ab"');
});
