/**
 * `repo check` over a catalog edited by hand: a record whose content key the
 * store cannot address (`content/../x`) or that lies outside the content
 * prefix is reported as that record's problem. Before, the first such key
 * ended the whole check with the store's InvalidInputError, and a key
 * outside the prefix (which purge and gc never delete) was not reported.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("repo check reports content keys it cannot address or that are outside content/", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_check_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    const bytes = (s: string) => new TextEncoder().encode(s);
    const init = await Repository.init(uri);
    const ok = await init.add("/ok", bytes("ok"));
    const outside = await init.add("/outside", bytes("a"));
    const dotdot = await init.add("/dotdot", bytes("b"));
    await init.close();
    const db = new DatabaseSync(join(dir, "store", ".vc~repo.sqlite"));
    try {
      const set = db.prepare("UPDATE records SET content_key = ? WHERE id = ?");
      set.run("backups/x.gz", outside.id);
      set.run("content/../.vc-repo.json", dotdot.id);
    } finally {
      db.close();
    }
    await using repo = await Repository.open(uri);
    const report = await repo.check({ graceMs: 0 });
    assertEquals(report.records, 3);
    assertEquals(
      report.problems.map((p) => [p.id, p.key, p.problem]),
      [
        [outside.id, "backups/x.gz", "bad key"],
        [dotdot.id, "content/../.vc-repo.json", "bad key"],
      ],
    );
    assert(report.problems[0]!.detail.includes("not under content/"));
    assert(report.problems[1]!.detail.includes(".."));
    // The two uploads those records named are now unreferenced.
    assertEquals(report.orphans.length, 2);
    assert(!report.orphans.some((o) => o.key === ok.contentKey));
    assertEquals(report.ok, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
