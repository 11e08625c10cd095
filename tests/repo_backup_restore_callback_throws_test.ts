/**
 * `Repository.backup`'s and `Repository.restore`'s `onProgress` that throws
 * rejected with the bare value thrown (as if the catalog or store had
 * failed), and one whose promise rejects (an `async` callback) ended the
 * process with an unhandled rejection, or was never looked at. Now each stops
 * the call as an abort does and rejects with a `CallbackError` naming it
 * (what it threw, an `Error` or not, in its message): a backup
 * leaves no snapshot behind (in `backups/` or at its destination), a restore
 * leaves the catalog as it was.
 */
import { CallbackError } from "../src/errors.ts";
import { Repository } from "../src/repo/repository.ts";
import type { SnapshotProgress } from "../src/repo/backup.ts";
import { assert, assertEquals } from "./assert.ts";

type How = "throws" | "rejects" | "throws a non-Error";

function failing(at: string, how: How, boom: unknown): (p: SnapshotProgress) => unknown {
  return (p) => {
    if (!p.current.startsWith(at)) return;
    if (how === "rejects") return Promise.reject(boom);
    throw boom;
  };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  const result = await p.then((ok) => ({ ok }), (error: unknown) => ({ error }));
  assert("error" in result, `resolved: ${JSON.stringify(result)}`);
  return result.error;
}

async function listed(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    // Not the store's own files beside an object (.vc~meta~…).
    for await (const e of Deno.readDir(dir)) if (!e.name.startsWith(".")) names.push(e.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

const BACKUP: [string, How, boolean][] = [
  ["reading the catalog", "throws", false],
  ["reading the catalog", "rejects", false],
  ["uploading", "throws", false],
  ["uploading", "rejects", true],
  ["uploading", "throws", true],
];

for (const [at, how, toDest] of BACKUP) {
  Deno.test(
    `Repository.backup${
      toDest ? "(dest)" : "()"
    }: an onProgress that ${how} at "${at}" rejects with a CallbackError, nothing written`,
    async () => {
      const dir = await Deno.makeTempDir({ prefix: "vc_backup_cb_" });
      try {
        await using repo = await Repository.init(`file://${dir}/repo`);
        await repo.add("/a.bin", new Uint8Array(16));
        const boom = new Error(`${at} ${how}`);
        const dest = toDest ? `file://${dir}/out/b.jsonl.gz` : undefined;
        const error = await rejection(repo.backup(dest, { onProgress: failing(at, how, boom) }));
        assert(error instanceof CallbackError, `rejected with ${error}`);
        assertEquals(error.callback, "onProgress");
        assert(error.cause === boom, `cause: ${error.cause}`);
        assertEquals(await listed(`${dir}/repo/backups`), []);
        assertEquals(await listed(`${dir}/out`), []);
        // A backup without the callback goes through.
        await repo.backup();
        assertEquals((await listed(`${dir}/repo/backups`)).length, 1);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
}

const RESTORE: [string, How][] = [
  ["reading", "throws"],
  ["reading", "rejects"],
  ["reading", "throws a non-Error"],
  ["checking the snapshot", "throws"],
  ["checking the snapshot", "rejects"],
  ["writing the catalog", "throws"],
  ["writing the catalog", "rejects"],
  ["writing the catalog", "throws a non-Error"],
  ["listing the store's content", "throws"],
];

for (const [at, how] of RESTORE) {
  Deno.test(
    `Repository.restore: an onProgress that ${how} at "${at}" rejects with a CallbackError`,
    async () => {
      const dir = await Deno.makeTempDir({ prefix: "vc_restore_cb_" });
      try {
        const uri = `file://${dir}/repo`;
        const snapshot = `file://${dir}/snap.jsonl.gz`;
        {
          await using repo = await Repository.init(uri);
          await repo.add("/a.bin", new Uint8Array(16).fill(1));
          await repo.backup(snapshot);
          // Added after the snapshot: a forced restore drops it.
          await repo.add("/b.bin", new Uint8Array(16).fill(2));
        }
        // A string, for the callback that throws what is no Error.
        const boom = how === "throws a non-Error" ? `${at} ${how}` : new Error(`${at} ${how}`);
        const error = await rejection(
          Repository.restore(uri, snapshot, { force: true, onProgress: failing(at, how, boom) }),
        );
        assert(error instanceof CallbackError, `rejected with ${error}`);
        assertEquals(error.callback, "onProgress");
        assert(error.cause === boom, `cause: ${error.cause}`);
        // The message names the callback and what it threw.
        assert(
          error.message.includes(`the onProgress callback threw: ${at} ${how}`),
          error.message,
        );
        await using repo = await Repository.open(uri);
        const paths = (await repo.list()).map((r) => r.path).sort();
        if (at === "listing the store's content") {
          // After the catalog was restored: what the error says.
          assert(/was restored/.test(error.message), error.message);
          assertEquals(paths, ["/a.bin"]);
        } else {
          // Before: the catalog is as it was.
          assertEquals(paths, ["/a.bin", "/b.bin"]);
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  );
}
