/**
 * A PostgreSQL catalog in a database whose default isolation is not READ
 * COMMITTED (`ALTER DATABASE vc SET default_transaction_isolation =
 * 'repeatable read'`, as some DBAs set for every application). vc's write
 * transactions began with a bare `BEGIN`, so they took that default: their
 * snapshot was taken at their first statement, before they waited for the
 * lock on a path's spellings (or gc's content lock), and what they read
 * after the wait missed what the writer they waited for had committed. Two
 * adds of two Unicode spellings of one new path then both found the catalog
 * without the other and both recorded it, which SQLite's single writer (and
 * READ COMMITTED) never lets happen. Write transactions now ask for READ
 * COMMITTED themselves, whatever the server's default.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { openPostgresCatalog } from "../src/repo/postgres_catalog.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { pgCases } from "./pg_server.ts";

const noEnv = () => undefined;

/** Sets the database of `url` to begin its transactions in `level` unless told otherwise. */
async function defaultIsolation(url: string, level: string): Promise<void> {
  const admin = await openPostgresCatalog(url, { env: noEnv });
  try {
    const db = decodeURIComponent(new URL(url).pathname.slice(1));
    await admin.transaction(
      "write",
      (tx) => tx.query(`ALTER DATABASE "${db}" SET default_transaction_isolation = '${level}'`),
    );
  } finally {
    await admin.close();
  }
}

async function twinAddedWhileWaiting(url: string): Promise<void> {
  await defaultIsolation(url, "repeatable read");
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_isolation_" });
  const other = await openPostgresCatalog(url, { env: noEnv });
  const watcher = await openPostgresCatalog(url, { env: noEnv });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    await using repo = await Repository.init(uri, { catalog: url });
    assertEquals(
      await repo.catalog.transaction(
        "write",
        async (tx) =>
          (await tx.query("SELECT current_setting('transaction_isolation') AS level"))[0]?.level,
      ),
      "read committed",
    );
    const nfc = "/caf\u00e9.txt";
    const nfd = "/cafe\u0301.txt";
    // Another machine's add of the NFC spelling, under the lock on the
    // path's spellings, not committed yet.
    let adding: Promise<unknown> | undefined;
    await other.transaction("write", async (tx) => {
      for (const statement of other.dialect.pathLock) await tx.query(statement, [nfc]);
      await tx.query(
        "INSERT INTO records (path, state, content_key, size, md5, origin_host, created_at) " +
          "VALUES ($1, 'unpublished', 'content/other', 1, $2, 'other', 0)",
        [nfc, "0".repeat(32)],
      );
      // This machine's add of the NFD spelling begins and waits for that lock.
      adding = repo.add(nfd, new TextEncoder().encode("menu"));
      adding.catch(() => {});
      for (;;) {
        const waiting = await watcher.transaction("read", (w) =>
          w.query(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
          ));
        if (Number(waiting[0]?.n) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    // The first add committed: the twin is refused, as it is on SQLite.
    await assertRejects(() => adding!, InvalidInputError, "spelled differently in Unicode");
    assertEquals((await repo.list()).map((r) => r.path), [nfc]);
  } finally {
    await watcher.close();
    await other.close();
    await Deno.remove(dir, { recursive: true });
  }
}

pgCases("repo on a PostgreSQL database whose default isolation is repeatable read", [[
  "an add waiting for the lock on its path's spellings sees the twin committed meanwhile",
  twinAddedWhileWaiting,
]]);
