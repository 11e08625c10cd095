/**
 * A `file://` URI names its file exactly, like an `s3://` key: URL parsing
 * drops trailing spaces and any tab or newline, which made
 * `file:///d/h.csv ` read the other file `/d/h.csv`.
 */
import { assertEquals } from "./assert.ts";
import { parseUri } from "../src/uri.ts";

Deno.test("parseUri: a file:// URI keeps trailing spaces, tabs and newlines of its path", () => {
  for (
    const [uri, path] of [
      ["file:///d/h.csv ", "/d/h.csv "],
      ["file:///d/h.csv  ", "/d/h.csv  "],
      ["file:///d/a\tb.csv", "/d/a\tb.csv"],
      ["file:///d/a\nb.csv", "/d/a\nb.csv"],
      ["file:///d/a b.csv", "/d/a b.csv"],
      ["file:///d/a%20b.csv", "/d/a b.csv"],
      ["file:///d/h.csv", "/d/h.csv"],
    ] as const
  ) {
    assertEquals(parseUri(uri), { scheme: "file", path }, JSON.stringify(uri));
  }
});
