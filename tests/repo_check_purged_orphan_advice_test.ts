/**
 * Content a purge left in the store (a gc killed between its purge's commit
 * and its delete, a delete the store refused) is an orphan `vc repo check`
 * lists, but a purged record still names it: the line said "no record
 * references it" and "if it is needed, record it first: vc repo adopt KEY
 * PATH", which `adopt` then refuses (a key a record names, in any state).
 * It now says what left it, and that gc deletes it, not to adopt it.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { checkLines } from "../src/cli/check_lines.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("repo check: content a purged record names is an orphan its purge left, not one to adopt", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_check_purged_orphan_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await using repo = await Repository.init(uri);
    const bytes = (s: string) => new TextEncoder().encode(s);
    const left = await repo.add("/left.csv", bytes("left"));
    // Purged, its delete never done (a gc killed between the two).
    await repo.catalog.transaction(
      "write",
      (tx) =>
        tx.query("UPDATE records SET state = 'purged', purged_at = $1 WHERE id = $2", [
          Date.now(),
          left.id,
        ]),
    );
    const stray = `${repo.marker.contentPrefix}ab/stray.bin`;
    await repo.store.put(stray, bytes("stray"));

    const report = await repo.check({ graceMs: 0 });
    assertEquals(
      report.orphans.map((o) => [o.key, o.purgedRecord]).sort(),
      [
        [left.contentKey, left.id],
        [stray, undefined],
      ].sort(),
    );
    const lines = checkLines(report, "0s");
    const line = lines.find((l) => l.includes(left.contentKey))!;
    assertStringIncludes(line, `purged record ${left.id}`);
    assert(!line.includes("adopt"), line);
    assert(!line.includes("no record references it"), line);
    // What the line no longer says to do is refused.
    await assertRejects(() => repo.adopt(left.contentKey, "/again.csv", { graceMs: 0 }));
    // An orphan no record names still may be adopted.
    assertStringIncludes(lines.find((l) => l.includes(stray))!, "vc repo adopt");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
