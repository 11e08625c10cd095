/**
 * A restore stopped (Ctrl-C, a library caller's signal) while it writes the
 * catalog stops between its batches of rows, its transaction rolled back:
 * the catalog is as it was and the snapshot's temp copy is removed. Before,
 * the signal was not heard once writing began: a restore of a large
 * snapshot went on for minutes, and `vc repo restore` was ended by its
 * grace period instead, leaving the copy (the whole snapshot) in TMPDIR.
 */
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { SNAPSHOT_HEADER, snapshotRecord } from "./snapshot_lines.ts";

// The restores' temp copies in `tmp` that hold the bytes of `snapshot`: this
// restore's alone, as its snapshot holds a path of its own. (TMPDIR is not
// set to a directory of the test's: the variable is the process's, and a
// test file run beside this one in one process, `deno test --parallel`, made
// its temp dir inside this test's, which removed it under it.)
function copiesOf(tmp: string, snapshot: Uint8Array): string[] {
  const same = (path: string) => {
    try {
      const bytes = Deno.readFileSync(path);
      return bytes.length === snapshot.length && bytes.every((b, i) => b === snapshot[i]);
    } catch {
      return false;
    }
  };
  return [...Deno.readDirSync(tmp)]
    .filter((e) => e.isDirectory && e.name.startsWith("vc-restore-"))
    .map((e) => join(tmp, e.name))
    .filter((scratch) => same(join(scratch, "snapshot.jsonl.gz")));
}

// A snapshot of `n` records and one of its own (several batches of rows), written to `path`.
async function writeSnapshot(path: string, n: number): Promise<void> {
  const lines = [SNAPSHOT_HEADER];
  for (let id = 1; id <= n; id++) {
    lines.push(snapshotRecord({ id, path: `/r/${id}.csv`, content_key: `content/${id}.csv` }));
  }
  // A path of its own: no other restore's copy holds these bytes.
  lines.push(snapshotRecord({ id: n + 1, path: `/own/${crypto.randomUUID()}.csv` }));
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
    const bytes = await Deno.readFile(snapshot);
    // The directory Deno makes temp directories in, as the restore does.
    const tmp = dirname(dir);
    const stop = new AbortController();
    let written = 0;
    let copies: string[] = [];
    const error = await assertRejects(() =>
      Repository.restore(uri, snapshot, {
        force: true,
        signal: stop.signal,
        onProgress: (p) => {
          if (p.current !== "writing the catalog" || !p.done || stop.signal.aborted) return;
          written = p.done;
          copies = copiesOf(tmp, bytes);
          stop.abort(); // once the first rows are written
        },
      })
    );
    assert(error === stop.signal.reason, `rejected with ${error}, not the stop`);
    assert(written > 0 && written < 5_001, `stopped after ${written} of 5001 rows`);
    assertEquals(copies.length, 1, `the restore's copy of the snapshot in ${tmp}`);
    await using repo = await Repository.open(uri);
    assertEquals((await repo.list()).map((r) => r.path), ["/old.txt"]);
    assertEquals(copiesOf(tmp, bytes), [], "the copy is removed");
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
