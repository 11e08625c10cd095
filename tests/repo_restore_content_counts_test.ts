/**
 * A restore is of a snapshot older than the store's content. The records
 * added since it was taken are not restored, and the next gc deleted their
 * content (the only copy) as unreferenced once older than its grace period;
 * records purged since were restored naming content that is gone. Over a
 * damaged catalog (rebuilt, what its error says to run) the restore could
 * not even count what it dropped: it said only "restored N records". The
 * restore now lists the store's content once it is done and says how many
 * objects no restored record references and how many restored records name
 * content the store does not hold (`unreferencedContent`, `missingContent`;
 * the CLI warns, naming `vc repo check` and gc's grace), or why it could not
 * (`contentUnchecked`).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";
import { Repository } from "../src/repo/mod.ts";
import { openStore as defaultOpenStore, type StoreOptions } from "../src/store/open.ts";
import { AccessDeniedError } from "../src/errors.ts";

Deno.test("restore over a damaged catalog counts the content its records do not agree with", async () => {
  await withWorkspace(async (dir, vc) => {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const bytes = (s: string) => new TextEncoder().encode(s);
    let snapshot: string;
    {
      await using repo = await Repository.init(uri);
      await repo.publish((await repo.add("/a.csv", bytes("a"))).id);
      const b = await repo.add("/b.csv", bytes("b"));
      snapshot = (await repo.backup()).uri;
      // After the snapshot: one added, one purged.
      await repo.publish((await repo.add("/c.csv", bytes("c"))).id);
      await repo.purge(b.id);
    }
    // The catalog is damaged; the restore rebuilds it.
    const catalogPath = join(dir, "repo", ".vc~repo.sqlite");
    await Deno.writeTextFile(catalogPath, "this is no database ".repeat(100));
    const counts = await Repository.restore(uri, snapshot, { force: true });
    assertEquals(counts.records, 2);
    assertEquals(counts.missingContent, 1); // /b.csv, purged since
    assertEquals(counts.unreferencedContent, 1); // /c.csv's, added since

    // The CLI warns, over a catalog that is not damaged too (the added
    // record dropped, its content left to gc).
    const env = { VC_REPO: uri };
    const text = ok(await vc(["repo", "restore", snapshot, "--force"], env), "restore");
    assertStringIncludes(
      text.stderr,
      "1 restored record names content the store does not hold (purged since the snapshot was " +
        "taken, or not copied to this store): vc repo check lists it",
    );
    assertStringIncludes(
      text.stderr,
      "1 content object in the store is referenced by no restored record (added since the " +
        "snapshot was taken): gc keeps it until vc repo gc --release-restored; vc repo check " +
        "lists it",
    );
    const json = JSON.parse(
      ok(await vc(["repo", "restore", snapshot, "--force", "--json"], env), "restore --json")
        .stdout,
    );
    assertEquals([json.missingContent, json.unreferencedContent], [1, 1]);

    // All in agreement: nothing said.
    ok(await vc(["repo", "gc", "--grace", "0s", "--release-restored"], env), "gc");
    const own = ok(await vc(["repo", "backup"], env), "backup").stdout.trim();
    const quiet = ok(await vc(["repo", "restore", own, "--force"], env), "restore own");
    assertEquals(quiet.stderr.includes("warning"), false, quiet.stderr);
  });
});

Deno.test("restore that cannot list the store's content says so, restored all the same", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_counts_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    let snapshot: string;
    {
      await using repo = await Repository.init(uri);
      await repo.add("/a.csv", new TextEncoder().encode("a"));
      snapshot = (await repo.backup()).uri;
    }
    // A store whose content may not be listed (no s3:ListBucket on it).
    const openStore = async (u: string, o?: StoreOptions) => {
      const store = await defaultOpenStore(u, o);
      const list = store.list.bind(store);
      store.list = (prefix, options) => {
        if (prefix === "content/") throw new AccessDeniedError("listing content/ is denied");
        return list(prefix, options);
      };
      return store;
    };
    const counts = await Repository.restore(uri, snapshot, { force: true, openStore });
    assertEquals(counts.records, 1);
    assertEquals(counts.missingContent, undefined);
    assertEquals(counts.contentUnchecked, "listing content/ is denied");
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.path), ["/a.csv"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
