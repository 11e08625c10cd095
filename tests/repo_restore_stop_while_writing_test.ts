/**
 * A restore stopped (Ctrl-C, a library caller's signal) while it writes the
 * catalog stops between its batches of rows, its transaction rolled back:
 * the catalog is as it was and the snapshot's temp copy is removed. Before,
 * the signal was not heard once writing began: a restore of a large
 * snapshot went on for minutes, and `vc repo restore` was ended by its
 * grace period instead, leaving the copy (the whole snapshot) in TMPDIR.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { withProcessEnv } from "./cli_harness.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { SNAPSHOT_HEADER, snapshotRecord } from "./snapshot_lines.ts";

// The entries restores made in `tmp` that are still there.
function restoreScratch(tmp: string): string[] {
  return [...Deno.readDirSync(tmp)]
    .filter((e) => e.name.startsWith("vc-restore-")).map((e) => e.name);
}

// A snapshot of `n` records (several batches of rows), written to `path`.
async function writeSnapshot(path: string, n: number): Promise<void> {
  const lines = [SNAPSHOT_HEADER];
  for (let id = 1; id <= n; id++) {
    lines.push(snapshotRecord({ id, path: `/r/${id}.csv`, content_key: `content/${id}.csv` }));
  }
  await Deno.writeFile(
    path,
    await new Response(
      new Blob([lines.join("\n") + "\n"]).stream().pipeThrough(new CompressionStream("gzip")),
    ).bytes(),
  );
}

async function stopWhileWriting(catalog: string | undefined) {
  const dir = await Deno.makeTempDir({ prefix: "vc_restore_stop_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    {
      await using repo = await Repository.init(uri, catalog === undefined ? {} : { catalog });
      await repo.add("/old.txt", new TextEncoder().encode("a"));
    }
    const snapshot = join(dir, "b.jsonl.gz");
    await writeSnapshot(snapshot, 5_000);
    // A TMPDIR of its own: other test processes' restores come and go in the shared one.
    const tmp = join(dir, "tmp");
    await Deno.mkdir(tmp);
    const stop = new AbortController();
    let written = 0;
    let error: unknown;
    await withProcessEnv({ TMPDIR: tmp }, async () => {
      error = await assertRejects(() =>
        Repository.restore(uri, snapshot, {
          force: true,
          signal: stop.signal,
          onProgress: (p) => {
            if (p.current !== "writing the catalog" || !p.done) return;
            written = p.done;
            stop.abort(); // once the first rows are written
          },
        })
      );
    });
    assert(error === stop.signal.reason, `rejected with ${error}, not the stop`);
    assert(written > 0 && written < 5_000, `stopped after ${written} of 5000 rows`);
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.path), ["/old.txt"]);
    assertEquals(restoreScratch(tmp), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("repo restore: a stop while writing a SQLite catalog rolls it back and removes the copy", async () => {
  await stopWhileWriting(undefined);
});

Deno.test({
  name:
    "repo restore: a stop while writing a PostgreSQL catalog rolls it back and removes the copy",
  ignore: !havePostgres, // no initdb/pg_ctl on this machine (CI installs them)
  async fn() {
    await using pg = await startPgServer();
    await stopWhileWriting(pg.url);
  },
});
