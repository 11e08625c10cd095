/**
 * A snapshot whose record has a blank origin host (a catalog or snapshot
 * edited by hand) is refused, naming the line and field, as a repository
 * refuses a blank host when it records one.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { parseSnapshot, snapshotRecord } from "./snapshot_lines.ts";

Deno.test("restore refuses a record whose origin_host is blank, naming the field", () => {
  for (const host of ["", " ", "\u3000"]) {
    const error = assertThrows(() => parseSnapshot(snapshotRecord({ origin_host: host })));
    assertStringIncludes(String(error), "b.jsonl.gz: line 2: record field origin_host");
    assertStringIncludes(String(error), "is blank");
  }
  assertEquals(parseSnapshot(snapshotRecord({ origin_host: "h" })).records.length, 1);
});
