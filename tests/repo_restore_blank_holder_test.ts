/**
 * A snapshot whose claim names a blank holder (a catalog or snapshot edited
 * by hand) is refused, naming the line and field: restored, the record
 * would stay claimed until claim_until with no holder able to renew or
 * release it, since `renew` and `release` refuse a blank holder.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { parseSnapshotLines } from "../src/repo/backup_lines.ts";

const HEADER = '{"format":"vc-repo-backup","version":1}';
const claimed = (holder: string) =>
  JSON.stringify({
    record: {
      id: 1,
      path: "/a.csv",
      state: "published",
      content_key: "content/x.csv",
      size: 1,
      md5: "0".repeat(32),
      origin_host: "h",
      created_at: 1,
      published_at: 2,
      claimed_by: holder,
      claim_until: 8_000_000_000_000,
    },
  });
const parse = (line: string) =>
  parseSnapshotLines(`${HEADER}\n${line}\n`, "b.jsonl.gz", "content/");

Deno.test("restore refuses a claim whose holder is blank, naming the field", () => {
  for (const holder of ["", " ", "\t", "\u3000"]) {
    const error = assertThrows(() => parse(claimed(holder)));
    assertStringIncludes(String(error), "b.jsonl.gz: line 2: record field claimed_by");
  }
  assertEquals(parse(claimed("w:1")).records.length, 1);
});
