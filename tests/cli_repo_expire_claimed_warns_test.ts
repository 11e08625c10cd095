/**
 * `vc repo expire ID` of a record a worker holds by a live claim ends that
 * claim (the record is no longer for consumption), and said nothing of it:
 * the operator retiring a bad file did not learn that a worker was
 * processing it, and the worker learned only at its next renew or release
 * (`ClaimLostError`). The expire now warns on stderr, naming the holder, its
 * until, and what the holder's renew and release do now; a record no claim
 * holds, or whose claim lapsed, expires as before, without a word.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("vc repo expire of a record a live claim holds warns, naming the holder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_expire_claimed_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const bytes = new TextEncoder().encode("v1");
    let held: number, free: number, lapsed: number, until: string;
    {
      await using repo = await Repository.init(uri);
      held = (await repo.publish((await repo.add("/raw/a.csv", bytes, { tags: ["todo"] })).id)).id;
      const claim = await repo.claim({ tag: "todo", ttlMs: 3_600_000, holder: "worker-2" });
      assertEquals(claim?.record.id, held);
      until = claim!.until;
      free = (await repo.publish((await repo.add("/raw/b.csv", bytes)).id)).id;
      lapsed = (await repo.publish((await repo.add("/raw/c.csv", bytes, { tags: ["q"] })).id)).id;
      await repo.claim({ tag: "q", ttlMs: 1, holder: "worker-3" });
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
    const cli = async (...args: string[]) => {
      const io = memoryIo({ cwd: dir, env: { VC_REPO: uri, NO_COLOR: "1" } });
      assertEquals(await runCli(args, io), 0, io.stderr());
      return { stdout: io.stdout(), stderr: io.stderr() };
    };
    const expired = await cli("repo", "expire", String(held));
    assertEquals(expired.stdout, `${held} expired /raw/a.csv\n`);
    assertStringIncludes(
      expired.stderr,
      `record ${held} was held by a live claim of worker-2 until ${until}, which this expire ` +
        "ended: that holder's renew and release now fail",
    );
    // --json: the same warning on stderr, the record on stdout.
    await using repo = await Repository.open(uri);
    await repo.publish(held);
    await repo.claim({ tag: "todo", ttlMs: 3_600_000, holder: "worker-4" });
    const json = await cli("repo", "expire", String(held), "--json");
    assertEquals(JSON.parse(json.stdout).claimedBy, null);
    assertStringIncludes(json.stderr, "live claim of worker-4");

    assertEquals((await cli("repo", "expire", String(free))).stderr, "");
    assertEquals((await cli("repo", "expire", String(lapsed))).stderr, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
