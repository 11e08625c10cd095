/**
 * `vc repo expire ID` warns when it ends a live claim (a worker at the
 * record). It read the record before its own transaction: a claim another
 * process released in between was still said to be ended by this expire
 * (its holder told to expect ClaimLostError), and one taken in between was
 * ended without a word. The claim is now read in the expire's transaction,
 * after any writer of the record's row: here another session releases (or
 * takes) the claim and commits only once the expire waits for its row lock.
 * The same read tells a publish or expire that found the record already in
 * that state (`(already: nothing changed)`).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import type { Catalog, Tx } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { pgCases } from "./pg_server.ts";

const noEnv = () => undefined;
const HOUR = 3_600_000;

/**
 * Runs `vc ARGS` against the repository `uri` while another session of
 * `catalog` runs `change` on the record `id`'s row, committing only once the
 * command waits for that row: the command's output.
 */
async function cliBehind(
  uri: string,
  catalog: Catalog,
  change: (tx: Tx) => Promise<unknown>,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { promise: commit, resolve: letCommit } = Promise.withResolvers<void>();
  const { promise: changed, resolve: isChanged } = Promise.withResolvers<void>();
  const changing = catalog.transaction("write", async (tx) => {
    await change(tx);
    isChanged();
    await commit;
  });
  await changed;
  const io = memoryIo({ env: { VC_REPO: uri, NO_COLOR: "1" } });
  const running = runCli(args, io);
  let waiting = false;
  for (let i = 0; i < 500 && !waiting; i++) {
    const rows = await catalog.transaction(
      "read",
      (tx) => tx.query("SELECT count(*) AS n FROM pg_locks WHERE NOT granted"),
    );
    waiting = Number(rows[0]?.n) > 0;
    if (!waiting) await new Promise((r) => setTimeout(r, 10));
  }
  letCommit();
  await changing;
  const code = await running;
  assert(waiting, "the command waited for the other session's row lock");
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** A repository on `url` with one published record `worker-1` holds claimed: its uri and id. */
async function claimedRecord(url: string, dir: string): Promise<{ uri: string; id: number }> {
  const uri = pathToFileURL(join(dir, "repo")).href;
  await using repo = await Repository.init(uri, { catalog: url });
  const bytes = new TextEncoder().encode("v1");
  const id = (await repo.publish((await repo.add("/raw/a.csv", bytes, { tags: ["todo"] })).id)).id;
  assertEquals((await repo.claim({ tag: "todo", ttlMs: HOUR, holder: "worker-1" }))?.record.id, id);
  return { uri, id };
}

/**
 * Runs `fn` with {@link claimedRecord}'s repository in a temp dir and a
 * second connection to its catalog (`other`), then closes and removes them.
 */
async function withClaimedRecord(
  url: string,
  fn: (
    uri: string,
    id: number,
    other: Awaited<ReturnType<typeof openPostgresCatalog>>,
  ) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_expire_claim_race_" });
  try {
    const { uri, id } = await claimedRecord(url, dir);
    const other = await openPostgresCatalog(url, { env: noEnv });
    try {
      await fn(uri, id, other);
    } finally {
      await other.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

pgCases("vc repo expire beside a claim released or taken meanwhile", [
  [
    "a claim released before the expire's write is not said to be ended by it",
    (url) =>
      withClaimedRecord(url, async (uri, id, other) => {
        const out = await cliBehind(uri, other, (tx) =>
          tx.query(
            "UPDATE records SET claimed_by = NULL, claim_until = NULL WHERE id = $1",
            [id],
          ), ["repo", "expire", String(id)]);
        assertEquals(out.code, 0, out.stderr);
        assertEquals(out.stdout, `${id} expired /raw/a.csv\n`);
        assertEquals(out.stderr, "");
      }),
  ],
  [
    "a claim taken before the expire's write is said to be ended by it",
    (url) =>
      withClaimedRecord(url, async (uri, id, other) => {
        // Released first (committed), then taken by worker-2 while the expire runs.
        await other.transaction("write", (tx) =>
          tx.query(
            "UPDATE records SET claimed_by = NULL, claim_until = NULL WHERE id = $1",
            [id],
          ));
        const until = Date.now() + HOUR;
        const out = await cliBehind(uri, other, (tx) =>
          tx.query(
            "UPDATE records SET claimed_by = 'worker-2', claim_until = $2 WHERE id = $1",
            [id, until],
          ), ["repo", "expire", String(id)]);
        assertEquals(out.code, 0, out.stderr);
        assertStringIncludes(
          out.stderr,
          `record ${id} was held by a live claim of worker-2 until ${
            new Date(until).toISOString()
          }, which this expire ended`,
        );
      }),
  ],
  [
    "an expire that finds the record expired meanwhile says it changed nothing",
    (url) =>
      withClaimedRecord(url, async (uri, id, other) => {
        const out = await cliBehind(uri, other, (tx) =>
          tx.query(
            "UPDATE records SET state = 'expired', expired_at = $2, claimed_by = NULL, " +
              "claim_until = NULL WHERE id = $1",
            [id, Date.now()],
          ), ["repo", "expire", String(id)]);
        assertEquals(out.code, 0, out.stderr);
        assertEquals(out.stdout, `${id} expired /raw/a.csv (already: nothing changed)\n`);
        assertEquals(out.stderr, "");
      }),
  ],
]);
