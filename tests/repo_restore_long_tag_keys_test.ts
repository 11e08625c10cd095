/**
 * A snapshot's check keeps every tag line it read, to refuse one repeated
 * before the catalog is touched: the whole path and tag of each. A snapshot
 * of path tags on long paths (1,000 characters, which a logical path may
 * have) made 1.5 MB of gzip take 530 MB of memory (300,000 lines), so a few
 * MB more took the restore past the heap's limit: a crash, not a refusal.
 * What the check keeps of a pair is bounded now, whatever its length; a
 * repeated pair is still refused, and distinct ones are not.
 */
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { parseSnapshotLines, repeatKey } from "../src/repo/backup_lines.ts";
import { SNAPSHOT_HEADER } from "./snapshot_lines.ts";

const long = (i: number) => `/${"a".repeat(1000)}/${i}`;

Deno.test("restore check: what it keeps of a tag line is bounded, whatever the path's length", () => {
  for (const row of [[long(1), "t"], [7, "x".repeat(200)], ["/a.csv", "t"]]) {
    assert(repeatKey(row).length <= 64, `${repeatKey(row).length} characters kept`);
  }
  assert(repeatKey([long(1), "t"]) !== repeatKey([long(2), "t"]));
  assert(repeatKey([long(1), "t"]) !== repeatKey([long(1), "u"]));
  // A record's tag and a path's never meet.
  assert(repeatKey([1, "t"]) !== repeatKey(["1", "t"]));
});

Deno.test("restore check: a long path's tag repeated is refused, distinct ones are kept", () => {
  const line = (i: number) => JSON.stringify({ pathTag: [long(i), "t"] });
  const text = (...lines: string[]) => [SNAPSHOT_HEADER, ...lines].join("\n") + "\n";
  assertEquals(parseSnapshotLines(text(line(1), line(2)), "b.gz", "content/").pathTags.length, 2);
  assertThrows(
    () => parseSnapshotLines(text(line(1), line(2), line(1)), "b.gz", "content/"),
    Error,
    "b.gz: line 4: ",
  );
});
