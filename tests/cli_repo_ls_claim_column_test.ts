/**
 * `vc repo ls` and `vc repo find` showed id, state, size, path and tags: who
 * held a record, and until when, was only in `--json` (`claimedBy`,
 * `claimUntil`), so a team lead listing the work in progress
 * (`vc repo ls --tag todo`) could not see which records workers hold, nor a
 * claim left by a worker that died. Their tables now end with a CLAIM
 * column: the holder and until when, with `(lapsed)` once that has passed
 * (a lapsed claim stays recorded until another claim takes the record, and
 * holds nothing).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { Repository } from "../src/repo/mod.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";

Deno.test("vc repo ls and find show who holds each record and until when", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_ls_claim_column_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    let liveUntil: string;
    {
      await using repo = await Repository.init(uri);
      for (const name of ["a", "b", "c"]) {
        const { id } = await repo.add(`/todo/${name}.csv`, new TextEncoder().encode(name));
        await repo.publish(id);
        await repo.tag({ id }, ["todo"]);
      }
      // Record 1 claimed two hours ago for five minutes: lapsed.
      const now = Date.now();
      {
        await using past = await Repository.open(uri, {
          clock: {
            now: () => now - 7_200_000,
            sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
          },
        });
        const lapsed = await past.claim({ tag: "todo", ttlMs: 300_000, holder: "worker-dead" });
        assertEquals(lapsed?.record.id, 1);
      }
      // Record 1 is free again, so take records by path: record 2 held for an hour.
      const live = await repo.claim({ path: "/todo/b.csv", ttlMs: 3_600_000, holder: "worker-2" });
      assertEquals(live?.record.id, 2);
      liveUntil = live!.until;
    }
    const io = () => memoryIo({ cwd: dir, env: { VC_REPO: uri, NO_COLOR: "1" } });
    for (const args of [["repo", "ls"], ["repo", "find", "--any", "todo"]]) {
      const out = io();
      assertEquals(await runCli(args, out), 0, out.stderr());
      const lines = out.stdout().trimEnd().split("\n");
      assertMatch(lines[0]!, /^ID +STATE +SIZE +PATH +TAGS +CLAIM$/, args.join(" "));
      assertMatch(lines[1]!, /^1 .*todo +worker-dead until \S+Z \(lapsed\)$/, lines[1]);
      assert(lines[2]!.endsWith(` worker-2 until ${liveUntil}`), lines[2]);
      assertMatch(lines[3]!, /^3 .*\/todo\/c\.csv +todo$/, lines[3]);
    }
    // --json keeps its fields as they were.
    const json = io();
    assertEquals(await runCli(["repo", "ls", "--json"], json), 0, json.stderr());
    const records = JSON.parse(json.stdout());
    assertEquals(records[1].claimedBy, "worker-2");
    assertEquals(records[1].claimUntil, liveUntil);
    assertEquals(records[2].claimedBy, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
