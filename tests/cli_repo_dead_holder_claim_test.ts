/**
 * A worker killed (`kill -9`, a lost machine) after `vc repo claim` took a
 * record, before it kept the holder that claim printed, left a claim nobody
 * could see from the command line: `vc repo get ID` printed the record as
 * any free published one, and `vc repo release ID --holder GUESS` said only
 * that "another holder" held it, so the record stayed out of every claim
 * until its ttl (up to 366 days) passed. `vc repo get ID` now names the
 * holder and its until, and a release or renew with another holder names
 * them too (or that the claim lapsed): `vc repo release ID --holder THAT`
 * then frees the record at once.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";
import { ClaimLostError, Repository } from "../src/repo/mod.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";

Deno.test("vc repo get names a claim's holder and until, which release then frees", async () => {
  await withWorkspace(async (dir, _process, vc) => {
    const env = { VC_REPO: `file://${dir}/repo` };
    ok(await vc(["repo", "init"], env), "init");
    await Deno.writeTextFile(`${dir}/a.csv`, "a\n");
    const id = ok(await vc(["repo", "add", "/a.csv", `${dir}/a.csv`, "--tag", "todo"], env), "add")
      .stdout.trim();
    ok(await vc(["repo", "publish", id], env), "publish");
    // The worker's claim: what it printed is lost with the worker.
    const claim = JSON.parse(
      ok(await vc(["repo", "claim", "--tag", "todo", "--ttl", "1h", "--json"], env), "claim")
        .stdout,
    );
    const holder: string = claim.holder;
    const none = ok(await vc(["repo", "claim", "--tag", "todo", "--ttl", "1h"], env), "claim 2");
    assertEquals(none.stderr.split("\n")[0], "nothing to claim");
    assertStringIncludes(none.stderr, `held by ${holder}`);

    const shown = ok(await vc(["repo", "get", id], env), "get");
    assertStringIncludes(shown.stdout, `claimed by ${holder} until ${claim.until}`);

    const wrong = await vc(["repo", "release", id, "--holder", "worker-7"], env);
    assertEquals(wrong.code, 1, wrong.stderr);
    assertStringIncludes(wrong.stderr, `${holder} holds it until ${claim.until}`);

    ok(await vc(["repo", "release", id, "--holder", holder], env), "release");
    const after = ok(await vc(["repo", "get", id], env), "get after");
    assert(!after.stdout.includes("claimed by"), after.stdout);
    const again = JSON.parse(
      ok(await vc(["repo", "claim", "--tag", "todo", "--ttl", "1h", "--json"], env), "claim 3")
        .stdout,
    );
    assertEquals(String(again.record.id), id);
  });
});

Deno.test("repo release with another holder says a lapsed claim holds nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_dead_holder_claim_" });
  try {
    const clock = new ManualClock(Date.UTC(2026, 10, 30));
    await using repo = await Repository.init(pathToFileURL(join(dir, "store")).href, { clock });
    const r = await repo.publish((await repo.add("/a", new TextEncoder().encode("a"))).id);
    const held = await repo.claim({ ttlMs: 1_000, holder: "w1" });
    await assertRejects(
      () => repo.renew(r.id, "w2", 1_000),
      ClaimLostError,
      `w2 does not hold it (w1 holds it until ${held!.until}:`,
    );
    clock.advance(5_000);
    // Before, "another holder does": a worker looked for one that was gone.
    await assertRejects(
      () => repo.release(r.id, "w2"),
      ClaimLostError,
      `w2 does not hold it (nobody does: the claim of w1 lapsed at ${held!.until}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
