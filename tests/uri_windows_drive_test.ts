/**
 * A Windows drive path written with forward slashes doubled
 * (`C://data/x.csv`, which Windows opens as `C:\data\x.csv`) is a path, not
 * a URI of an unknown scheme `c`: `parseUri` said "unsupported scheme", while
 * the settings that name local paths (`isUriNotPath`) took it as a path. The
 * two now agree: a scheme has two characters or more, for a prefill list's
 * lines and a manifest's values too.
 */
import { assertEquals, assertThrows } from "./assert.ts";
import { parseStoreRoot, parseUri } from "../src/uri.ts";
import { isUriNotPath } from "../src/path.ts";
import { InvalidInputError } from "../src/errors.ts";
import { listItem, parsePrefillItem } from "../src/prefill/list_file.ts";
import { parseManifest } from "../src/versioned/manifest.ts";

Deno.test("parseUri: a drive letter before // is a local path, as isUriNotPath has it", () => {
  for (const path of ["C://data/x.csv", "c://x", "D://cache"]) {
    if (Deno.build.os === "windows") {
      assertEquals(parseUri(path), { scheme: "local", path });
      assertEquals(parseStoreRoot(path), { scheme: "local", path });
    } else {
      // Elsewhere a relative path, a directory "C:": refused as a Windows
      // path (local_path_windows_path_off_windows_test.ts), not as a scheme.
      assertThrows(() => parseUri(path), InvalidInputError, "is a Windows path");
      assertThrows(() => parseStoreRoot(path), InvalidInputError, "is a Windows path");
    }
  }
  for (const value of ["C://x", "C:\\x", "C:/x", "s3://b/k", "file:///x", "ab://x", "gs://b/k"]) {
    let local: boolean;
    try {
      local = parseUri(value).scheme === "local";
    } catch (e) {
      // An unknown scheme: a URI all the same. A Windows path off Windows is
      // refused as a path (uri_mistyped_hint_test.ts), not as a scheme.
      local = (e as Error).message.includes("is a Windows path");
    }
    assertEquals(local, !isUriNotPath(value), value);
  }
  // Two letters and more are still schemes: refused when unknown.
  assertThrows(() => parseUri("ab://x"), InvalidInputError, 'unsupported scheme "ab"');
});

Deno.test("a prefill list and a manifest read C://data/x.csv as a path, like C:\\data\\x.csv", () => {
  for (const path of ["C://data/x.csv", "C:\\data\\x.csv"]) {
    assertThrows(
      () => parsePrefillItem(path),
      InvalidInputError,
      "neither an s3:// or file:// URI",
    );
    // A local override of a manifest entry (for development), not a bad URI.
    assertEquals(parseManifest(JSON.stringify({ "/x.csv": path }), "vc.json")["/x.csv"], path);
  }
  // A path's trailing blanks are a slip (a URI's are part of its key).
  assertEquals(listItem("C://data/x.csv \t"), "C://data/x.csv");
  assertEquals(listItem("s3://b/k "), "s3://b/k ");
});
