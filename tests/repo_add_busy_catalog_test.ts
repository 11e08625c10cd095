/**
 * An add whose record the catalog kept refusing as busy (SQLite's lock held
 * by a long writer past every retry, PostgreSQL's serialization failures or
 * lock waits) committed nothing: it deletes the content it uploaded, as an
 * add refused by a read-only catalog does. Before, each such add left an
 * orphan object in the store until a gc past the grace period (7 days by
 * default).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects } from "./assert.ts";
import { CatalogBusyError } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/mod.ts";

Deno.test("repo: an add that finds the catalog busy past its retries leaves no orphan content", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_busy_add_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await using repo = await Repository.init(uri);
    await repo.add("/kept.txt", new TextEncoder().encode("kept"));
    // What the catalog throws once a writer elsewhere has held its lock past
    // every retry (about a minute on SQLite): here at once.
    const catalog = repo.catalog as { transaction: typeof repo.catalog.transaction };
    const real = catalog.transaction.bind(repo.catalog);
    catalog.transaction = (mode, fn) =>
      mode === "write"
        ? Promise.reject(
          new CatalogBusyError(`catalog ${repo.catalog.location} stayed busy: database is locked`),
        )
        : real(mode, fn);
    try {
      await assertRejects(
        () => repo.add("/refused.txt", new TextEncoder().encode("refused")),
        CatalogBusyError,
        "stayed busy",
      );
    } finally {
      catalog.transaction = real;
    }
    const report = await repo.check();
    assertEquals(report.orphans.map((o) => o.key), []);
    assertEquals(report.problems, []);
    assertEquals((await repo.list()).map((r) => r.path), ["/kept.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
