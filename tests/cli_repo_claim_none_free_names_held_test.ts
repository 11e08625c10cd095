/**
 * A worker killed (`kill -9`) while it held claims leaves them until their
 * ttl: the next worker's `vc repo claim` said only `nothing to claim`
 * (`null`), as for an empty queue, while `vc repo ls` listed the records as
 * published and tagged `todo`, with nothing about a claim; so the queue
 * looked drained with work left, for up to the ttl. When nothing is free,
 * `claim` now says (on stderr, in every mode) how many matching records live
 * claims hold, the earliest until, and how to free one sooner.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("vc repo claim with nothing free names the claims that hold the matching records", async () => {
  await withWorkspace(async (dir, _process, vc) => {
    const env = { VC_REPO: pathToFileURL(join(dir, "repo")).href };
    ok(await vc(["repo", "init"], env), "init");
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    for (const path of ["/a.csv", "/b.csv"]) {
      const id = ok(
        await vc(["repo", "add", path, join(dir, "a.csv"), "--tag", "todo"], env),
        "add",
      )
        .stdout.trim();
      ok(await vc(["repo", "publish", id], env), "publish");
    }
    // The dead worker's claims: what it printed died with it.
    const first = JSON.parse(
      ok(await vc(["repo", "claim", "--tag", "todo", "--ttl", "1h", "--json"], env), "claim")
        .stdout,
    );
    ok(await vc(["repo", "claim", "--tag", "todo", "--ttl", "2h"], env), "claim 2");

    const none = ok(
      await vc(["repo", "claim", "--tag", "todo", "--ttl", "1h", "--json"], env),
      "none",
    );
    assertEquals(none.stdout.trim(), "null");
    assertStringIncludes(none.stderr, "2 published records with tag todo are held by live claims");
    assertStringIncludes(
      none.stderr,
      `the first lapses at ${first.until} (record ${first.record.id}, held by ${first.holder})`,
    );
    assertStringIncludes(none.stderr, "vc repo release ID --holder H");

    // An empty queue says nothing more.
    const other = ok(await vc(["repo", "claim", "--tag", "nothing", "--ttl", "1h"], env), "empty");
    assertEquals(other.stderr.trim(), "nothing to claim");
  });
});
