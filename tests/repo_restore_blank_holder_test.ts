/**
 * A snapshot whose claim names a blank holder (a catalog or snapshot edited
 * by hand) is refused, naming the line and field: restored, the record
 * would stay claimed until claim_until with no holder able to renew or
 * release it, since `renew` and `release` refuse a blank holder.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { parseSnapshot, snapshotRecord } from "./snapshot_lines.ts";

const claimed = (holder: string) =>
  snapshotRecord({ claimed_by: holder, claim_until: 8_000_000_000_000 });

Deno.test("restore refuses a claim whose holder is blank, naming the field", () => {
  for (const holder of ["", " ", "\t", "\u3000"]) {
    const error = assertThrows(() => parseSnapshot(claimed(holder)));
    assertStringIncludes(String(error), "b.jsonl.gz: line 2: record field claimed_by");
  }
  assertEquals(parseSnapshot(claimed("w:1")).records.length, 1);
});
