/**
 * A cold download killed (`kill -9`) before its first byte leaves, in the
 * directories it made for a deep key (`s3://b/a/b/c/big.bin`), only its
 * lock (the shared temp file) and its holder note. `vc cache prune` and
 * `vc cache verify` swept those files but left the directory chain they were
 * in, empty, for ever, where `rm` and `prune` of an entry remove the
 * directories they empty: the next run did not recover without manual
 * cleanup. The sweep now removes the directories it empties too, and never
 * one that still holds a file (another entry, a live download's temp).
 */
import { assert, assertEquals } from "./assert.ts";
import { withS3Cache } from "./cache_s3_helpers.ts";
import { filesUnder } from "./files_under.ts";
import { join } from "node:path";

/** The debris a killed cold download of `dir`/`name` leaves, dated two days back. */
async function plantKilledDownload(dir: string, name: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const shared = join(dir, `.${name}.vc-tmp-0-shared`);
  const holder = join(dir, `.${name}.vc-tmp-0-holder`);
  await Deno.writeTextFile(shared, "");
  // A pid no process has: the note of a dead holder.
  await Deno.writeTextFile(holder, "999999999");
  const old = new Date(Date.now() - 2 * 86_400_000);
  for (const p of [shared, holder]) await Deno.utime(p, old, old);
}

function dirsUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(d)) {
      if (!e.isDirectory) continue;
      out.push(join(d, e.name).slice(root.length + 1));
      walk(join(d, e.name));
    }
  };
  walk(root);
  return out.sort();
}

for (const via of ["prune", "verify"] as const) {
  Deno.test(`cache ${via}: a killed cold download's emptied directories go with its debris`, async () => {
    await withS3Cache(async (s3, make, dir) => {
      await s3.putObject("b", "keep/x.csv", "a,b\n");
      const cache = make();
      const kept = await cache.cache("s3://b/keep/x.csv");
      const ns = join(dir, `s3@127.0.0.1_${s3.port}`);
      // Killed downloads: one alone in its chain, one beside a live temp file.
      await plantKilledDownload(join(ns, "b", "a", "b", "c"), "big.bin");
      await plantKilledDownload(join(ns, "b", "busy"), "dead.bin");
      const live = join(ns, "b", "busy", ".other.bin.vc-tmp-0-shared");
      await Deno.writeTextFile(live, "");
      using held = await Deno.open(live, { read: true, write: true });
      await held.lock(true);

      if (via === "prune") await cache.prune({});
      else await cache.verify();

      // The cached entry and the live download's lock stay, with their directories.
      assertEquals(await Deno.readTextFile(kept), "a,b\n");
      const files = filesUnder(dir, { relative: true });
      assert(files.some((f) => f.endsWith("/b/busy/.other.bin.vc-tmp-0-shared")), files.join("\n"));
      assert(!files.some((f) => f.includes("big.bin") || f.includes("dead.bin")), files.join("\n"));
      // No empty directory of the killed download is left.
      const dirs = dirsUnder(dir).filter((d) => !d.startsWith(".meta"));
      const ours = `s3@127.0.0.1_${s3.port}`;
      assertEquals(dirs, [ours, `${ours}/b`, `${ours}/b/busy`, `${ours}/b/keep`]);
    });
  });
}
