/**
 * `repo check` whose store fails on one key (a 500 past its retries; the
 * same for a timeout or a 403 on one key): the whole check ended with the
 * bare `HEAD … failed: 500`, saying nothing of the records it had checked or
 * would have. It now goes on: that record is reported as not checked (its
 * key and the store's error), every other one is checked (a missing one is
 * still found), and the report is not ok. A listing that fails leaves the
 * records checked and says the orphans were not looked for. Ctrl-C still
 * stops it, and so does a store failing on 100 records in a row (down: each
 * remaining record would cost its retries), saying how far it got.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { repoOnFakeS3 } from "./repo_on_fake_s3.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("repo check: a store failing on one key leaves that record unchecked, not the check ended", async () => {
  await using setup = await repoOnFakeS3("vc_repo_check_fails_");
  const { s3, repo } = setup;
  try {
    const a = await repo.add("/a.txt", text("a"));
    const b = await repo.add("/b.txt", text("b"));
    const c = await repo.add("/c.txt", text("c"));
    await repo.store.delete([c.contentKey]);
    s3.setFaults({
      errorRate: 1,
      match: (t) => t.op === "HeadObject" && t.key === `repo/${b.contentKey}`,
    });
    const report = await repo.check();
    assertEquals(report.records, 3);
    assertEquals(report.unchecked.map((u) => [u.id, u.key]), [[b.id, b.contentKey]]);
    assertStringIncludes(report.unchecked[0]!.error, "500");
    assertEquals(report.problems.map((p) => [p.id, p.problem]), [[c.id, "missing"]]);
    assertEquals(report.ok, false);

    // Only that key failing, and nothing else wrong: still not ok.
    await repo.store.put(c.contentKey, text("c"));
    const again = await repo.check();
    assertEquals([again.problems, again.unchecked.map((u) => u.id), again.ok], [[], [b.id], false]);

    // Every key failing: each is named, the check still ends with a report.
    s3.setFaults({ errorRate: 1, match: (t) => t.op === "HeadObject" });
    const all = await repo.check();
    assertEquals(all.unchecked.map((u) => u.id), [a.id, b.id, c.id]);

    // The listing failing: the records are checked, the orphans not looked for.
    s3.setFaults({ errorRate: 1, match: (t) => t.op === "ListObjectsV2" });
    const unlisted = await repo.check();
    assertEquals([unlisted.unchecked, unlisted.problems, unlisted.ok], [[], [], false]);
    assertStringIncludes(unlisted.contentUnchecked ?? "", "500");
    s3.setFaults({});
    const clean = await repo.check();
    assertEquals([clean.ok, clean.contentUnchecked, clean.unchecked], [true, undefined, []]);

    // A Ctrl-C during the check still ends it, as the abort.
    const stop = new AbortController();
    s3.setFaults({ errorRate: 1, match: (t) => t.op === "HeadObject" });
    stop.abort(new Error("stopped"));
    await assertRejects(() => repo.check({ signal: stop.signal }), Error, "stopped");
  } finally {
    s3.setFaults({});
  }
});

Deno.test("repo check: a store failing on 100 records in a row ends the check, saying so", async () => {
  await using setup = await repoOnFakeS3("vc_repo_check_down_");
  const { s3, repo } = setup;
  try {
    for (let i = 0; i < 150; i++) await repo.add(`/f${i}.txt`, text(String(i)));
    s3.setFaults({ errorRate: 1, match: (t) => t.op === "HeadObject" });
    s3.resetStats();
    const e = await assertRejects(() => repo.check(), Error);
    assertStringIncludes(e.message, "500");
    assertStringIncludes(
      e.message,
      "the store failed on 100 records in a row, so the check stopped",
    );
    assertStringIncludes(e.message, "of 150 records looked at");
    assertStringIncludes(e.message, "run the Repository's `check()` again once the store answers");
    // It stopped there: no look at the last records (16 are in flight at once).
    const heads = s3.stats.HeadObject;
    assertEquals(heads >= 100 && heads < 150, true, `${heads} HEADs`);
  } finally {
    s3.setFaults({});
  }
});
