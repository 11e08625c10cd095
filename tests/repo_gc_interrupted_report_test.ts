/**
 * A `repo gc` stopped by its signal (Ctrl-C, SIGTERM) says what it really
 * did before it stopped: each step commits on its own, so records it purged
 * and content it deleted stay so. Before, the library said nothing of it
 * (the progress counted each step's objects, deleted or kept) and
 * `vc repo gc` ended on a bare `vc: repo gc interrupted`.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { overriding } from "./overriding.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { type GcProgress, Repository } from "../src/repo/mod.ts";
import { FsStore } from "../src/store/fs.ts";
import { openStore } from "../src/store/open.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";

async function contentKeys(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list("content/")) keys.push(info.key);
  return keys.sort();
}

Deno.test("gc stopped after a known number of deletes: soFar counts what the store and catalog really lost", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_gc_interrupted_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const stop = new AbortController();
    let deletes = 0;
    await using repo = await Repository.init(uri, {
      clock,
      // Aborts the signal once the store has deleted 3 objects, as a Ctrl-C then would.
      openStore: async (u) => {
        const store = await openStore(u);
        return overriding(store, {
          delete: async (...args: Parameters<ObjectStore["delete"]>) => {
            await store.delete(...args);
            deletes += args[0].length;
            if (deletes >= 3) stop.abort(new DOMException("interrupted", "AbortError"));
          },
        });
      },
    });
    const bytes = (s: string) => new TextEncoder().encode(s);
    // One superseded version (expired), three abandoned adds (purged, their
    // content deleted), and two orphans the stopped gc never reaches.
    const old = await repo.publish((await repo.add("/x", bytes("x1"))).id);
    await repo.publish((await repo.add("/x", bytes("x2"))).id);
    const abandoned = [];
    for (const name of ["a", "b", "c"]) abandoned.push(await repo.add(`/${name}`, bytes(name)));
    await repo.store.put("content/orphan-1", bytes("o1"));
    await repo.store.put("content/orphan-2", bytes("o2"));
    clock.advance(8 * 86_400_000);
    const before = await contentKeys(repo.store);

    const seen: GcProgress[] = [];
    const error = await repo.gc({ signal: stop.signal, onProgress: (p) => seen.push(p) })
      .then(() => "done", (e) => e);
    assertEquals(error, stop.signal.reason);

    const after = await contentKeys(repo.store);
    const lost = before.filter((key) => !after.includes(key));
    const states = await Promise.all(abandoned.map(async (r) => (await repo.get(r.id)).state));
    assertEquals(states, ["purged", "purged", "purged"]);
    assertEquals((await repo.get(old.id)).state, "expired");
    assertEquals(lost.length, 3);
    assertEquals(after.filter((key) => key.startsWith("content/orphan")).length, 2);
    // What gc said last is what happened, neither the steps' totals nor less.
    assertEquals(seen.at(-1)?.soFar, { expired: 1, purged: 3, deleted: lost.length });
    assertEquals(deletes, 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc repo gc interrupted: its last line and --json say what it did; exit 130", async () => {
  for (const json of [false, true]) {
    await using ws = await CliWorkspace.create();
    const repo = pathToFileURL(join(ws.dir, "repo")).href;
    assertEquals((await ws.run(["repo", "init", repo])).code, 0);
    for (const name of ["a", "b"]) {
      await ws.write(`${name}.txt`, name);
      const added = await ws.run(["repo", "add", `/${name}`, `${name}.txt`, "--repo", repo]);
      assertEquals(added.code, 0, added.stderr);
    }
    // A grace of 0: the two abandoned adds are purged at once (no clock to
    // move in a CLI run); a few milliseconds pass so they are older than it.
    await new Promise((r) => setTimeout(r, 5));
    const stop = new AbortController();
    const io = memoryIo({ env: ws.env, cwd: ws.dir, signal: stop.signal });
    // Ctrl-C once the store (in this process) deleted the purged records' content.
    const realDelete = FsStore.prototype.delete;
    let deleted = 0;
    FsStore.prototype.delete = async function (this: FsStore, keys, options) {
      await realDelete.call(this, keys, options);
      deleted += keys.length;
      stop.abort(new DOMException("interrupted", "AbortError"));
    };
    let code;
    try {
      const args = ["repo", "gc", "--grace", "0s", "--repo", repo, ...(json ? ["--json"] : [])];
      code = await runCli(args, io);
    } finally {
      FsStore.prototype.delete = realDelete;
    }
    assertEquals(code, 130, io.stderr());
    assertEquals(deleted, 2);
    assertStringIncludes(
      io.stderr(),
      "vc: repo gc interrupted: expired 0 superseded, purged 2 records, deleted 2 content " +
        "objects before it stopped",
    );
    if (json) {
      assertEquals(JSON.parse(io.stdout()), {
        interrupted: true,
        dryRun: false,
        expired: 0,
        purged: 2,
        deleted: 2,
      });
    }
  }
});
