/**
 * A snapshot record whose content key lies under the content prefix but is
 * not shaped like a key vc writes (a folder that is not two hex digits, a
 * deeper path, `..`) is refused saying so, not that it is outside the
 * prefix; a key outside the prefix is still refused as such.
 */
import { assert, assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { parseSnapshot, snapshotRecord } from "./snapshot_lines.ts";

const refusal = (key: string) =>
  String(assertThrows(() => parseSnapshot(snapshotRecord({ content_key: key }))));

Deno.test("restore names a content key under content/ but misshapen as such", () => {
  for (const key of ["content/xx/other.csv", "content/a/b/c.csv", "content/../x.csv", "content/"]) {
    const message = refusal(key);
    assertStringIncludes(message, `b.jsonl.gz: line 2: content_key ${JSON.stringify(key)}`);
    assertStringIncludes(message, "is not shaped like a content key vc writes");
    assert(!message.includes("not under"), message);
  }
  for (const key of [".vc-repo.json", "backups/catalog-1.jsonl.gz", "contentx/a.csv"]) {
    assertStringIncludes(refusal(key), "is not under content/");
  }
  assertEquals(
    parseSnapshot(snapshotRecord({ content_key: "content/0f/x.csv" })).records.length,
    1,
  );
});
