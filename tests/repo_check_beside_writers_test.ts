/**
 * `vc repo check` beside other processes writing the repository: a record
 * purged (by `purge` or `gc`) after check read the catalog has its content
 * deleted under check's feet, and content recorded by an `add` after that
 * read is found by check's listing. Neither is damage: check must not
 * report the first as missing nor the second as an orphan (either made it
 * fail), as a `prune` beside a `verify` is not reported corrupt.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { check } from "../src/repo/check.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals } from "./assert.ts";

Deno.test("repo check: a purge and an add beside it are not reported as damage", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_check_beside_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await using repo = await Repository.init(uri);
    await using other = await Repository.open(uri);
    const kept = await repo.add("/kept.txt", new TextEncoder().encode("kept"));
    const doomed = await repo.add("/doomed.txt", new TextEncoder().encode("doomed"));
    await repo.publish(kept.id);
    let added: string | undefined;
    // Once check has read the catalog (its first look at the store), another
    // process purges one record and adds another.
    const head = repo.store.head.bind(repo.store);
    let raced = false;
    repo.store.head = async (key, options) => {
      if (!raced) {
        raced = true;
        await other.expire(doomed.id);
        await other.purge(doomed.id);
        added = (await other.add("/new.txt", new TextEncoder().encode("new"))).contentKey;
      }
      return await head(key, options);
    };
    const report = await check(repo, { concurrency: 1 });
    assertEquals(raced, true);
    assertEquals(typeof added, "string");
    assertEquals(report.problems, []);
    assertEquals(report.orphans, []);
    assertEquals(report.ok, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo check: content still missing or unreferenced after a re-read is reported", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_check_beside_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await using repo = await Repository.init(uri);
    const lost = await repo.add("/lost.txt", new TextEncoder().encode("lost"));
    await repo.store.delete([lost.contentKey]);
    await repo.store.put("content/stray.bin", new TextEncoder().encode("stray"));
    // Fresh: counted as an orphan only with no grace period.
    const report = await check(repo, { graceMs: 0 });
    assertEquals(report.problems.map((p) => [p.id, p.problem]), [[lost.id, "missing"]]);
    assertEquals(report.orphans.map((o) => o.key), ["content/stray.bin"]);
    assertEquals(report.ok, false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
