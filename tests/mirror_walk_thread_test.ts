/**
 * The mirror's local walk on a worker thread (`src/mirror/walk_thread.ts`)
 * gives exactly what the walk on the calling thread gives: entries, order,
 * errors (reported and fatal), filters, symlinks, scopes, and it stops
 * when aborted. A mirror run is the same with `walkThread: false`.
 */
import { join } from "node:path";
import { type LocalEntry, type LocalRoot, walkLocalBatches } from "../src/mirror/local_side.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { walkLocalBatchesOffThread } from "../src/mirror/walk_thread.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { readBounded, withinDeadline } from "./bounded_iteration.ts";
import { RACY_MS, tempDir, writeTree } from "./mirror_helpers.ts";

type Options = Parameters<typeof walkLocalBatches>[1];

async function both(
  root: LocalRoot,
  options: Omit<Options, "onError">,
  missingOk = false,
): Promise<{ here: unknown; there: unknown }> {
  const run = async (walk: typeof walkLocalBatches) => {
    let entries: LocalEntry[][] = [];
    const errors: string[] = [];
    let failure: string | undefined;
    // A lost batch or end fails the test within a minute (the deadline's
    // abort also ends the worker) rather than hanging it.
    const controller = new AbortController();
    try {
      const it = walk(
        root,
        { ...options, onError: (p, e) => errors.push(`${p}: ${e}`), signal: controller.signal },
        missingOk,
      );
      entries = await readBounded(it, `the walk of ${root.dir} (${walk.name})`, {
        most: 10_000,
        onDeadline: (e) => controller.abort(e),
      });
    } catch (error) {
      failure = `${(error as Error).constructor.name}: ${(error as Error).message}`;
    }
    // LocalEntry's fields (the walk on this thread leaves more on its objects).
    const fields = ({ key, path, size, mtimeMs, ctimeMs, ino }: LocalEntry) => ({
      key,
      path,
      size,
      mtimeMs,
      ctimeMs,
      ino,
    });
    return { entries: entries.flat().map(fields), errors, failure };
  };
  return { here: await run(walkLocalBatches), there: await run(walkLocalBatchesOffThread) };
}

async function tree(dir: string): Promise<void> {
  const files: Record<string, string> = {
    "a.txt": "a",
    "b/c.txt": "cc",
    "b/d.log": "ddd",
    "é/ü.txt": "u",
    "😀/x": "x",
    "\uFFFD": "replacement char sorts before the emoji in UTF-8",
    "z/.z.txt.vc-tmp-1-abcdefgh": "a temp file of vc: left out where skipTempNames",
  };
  for (let i = 0; i < 300; i++) files[`many/f${String(i).padStart(3, "0")}`] = String(i);
  await writeTree(dir, files);
  await Deno.symlink(join(dir, "b"), join(dir, "link-to-b"));
  await Deno.symlink(join(dir, "missing"), join(dir, "dangling"));
}

Deno.test("walk thread: the same entries, order and errors as the walk on this thread", async () => {
  await using w = await tempDir();
  const dir = join(w.dir, "src");
  await tree(dir);
  const cases: [LocalRoot, Omit<Options, "onError">][] = [
    [{ dir, base: "" }, { filter: {}, symlinks: "skip" }],
    [{ dir, base: "" }, { filter: {}, symlinks: "skip", skipTempNames: true }],
    [{ dir, base: "pre/" }, { filter: {}, symlinks: "follow" }], // a dangling link is an error
    [{ dir, base: "" }, { filter: { exclude: [/\.log$/, /^many\//] }, symlinks: "skip" }],
    [{ dir, base: "" }, { filter: { include: [/\.txt$/] }, symlinks: "follow" }],
    [{ dir, base: "" }, { filter: {}, symlinks: "skip", scope: "b/" }],
    [{ dir, base: "pre/" }, { filter: {}, symlinks: "skip", scope: "pre/many/" }],
  ];
  for (const [root, options] of cases) {
    const { here, there } = await both(root, options);
    assertEquals(there, here, `${root.base} ${JSON.stringify(options.scope)} ${options.symlinks}`);
  }
  const { here } = await both({ dir, base: "" }, {
    filter: {},
    symlinks: "follow",
    skipTempNames: true,
  });
  const { entries, errors } = here as { entries: LocalEntry[]; errors: string[] };
  assertEquals(entries.length, 308);
  assertEquals(errors.length, 1);
});

Deno.test("walk thread: a missing root fails as on this thread (NotFound), or is empty when allowed", async () => {
  await using w = await tempDir();
  const root = { dir: join(w.dir, "nope"), base: "" };
  const fails = await both(root, { filter: {}, symlinks: "skip" });
  assertEquals(fails.there, fails.here);
  assert((fails.there as { failure?: string }).failure?.startsWith("NotFound"), "NotFound");
  const empty = await both(root, { filter: {}, symlinks: "skip" }, true);
  assertEquals(empty.there, { entries: [], errors: [], failure: undefined });
});

Deno.test("walk thread: an abort stops the walk with the signal's reason", async () => {
  await using w = await tempDir();
  const dir = join(w.dir, "src");
  await tree(dir);
  const controller = new AbortController();
  const reason = new Error("stop walking");
  let batches = 0;
  await assertRejects(
    async () => {
      const walk = walkLocalBatchesOffThread(
        { dir, base: "" },
        {
          filter: {},
          symlinks: "skip",
          onError: () => {},
          signal: controller.signal,
        },
        false,
        10,
      );
      // An abort that is not heard fails at the deadline, not by hanging.
      await readBounded(walk, "the aborted walk", {
        most: 1_000,
        onItem: () => {
          batches++;
          controller.abort(reason);
        },
      });
    },
    Error,
    "stop walking",
  );
  assertEquals(batches, 1);
});

Deno.test("walk thread: a consumer that stops early ends the worker (a small read-ahead bound)", async () => {
  await using w = await tempDir();
  const dir = join(w.dir, "src");
  await tree(dir);
  const walk = walkLocalBatchesOffThread(
    { dir, base: "" },
    {
      filter: {},
      symlinks: "skip",
      onError: () => {},
    },
    false,
    1,
  );
  // Stops after the first batch (as a `for await` that breaks), within a deadline.
  const taken = await readBounded(walk, "the first batch of the walk", { stopAfter: 1 });
  assertEquals(taken.length, 1, "the consumer stopped after a batch, not on an empty walk");
  assertEquals(taken[0]![0]!.key, "a.txt");
  // The test's sanitizers fail it if the worker were left running.
});

Deno.test("mirror: a run walking on a worker thread and one walking here give the same report", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await tree(src);
  const reports = [];
  for (const walkThread of [true, false]) {
    const store = new MemoryStore();
    const r = await withinDeadline(`a mirror run (walkThread: ${walkThread})`, (signal) =>
      mirror({
        sources: [src],
        target: store,
        statePath: join(w.dir, `s-${walkThread}.db`),
        racyWindowMs: RACY_MS,
        symlinks: "follow",
        walkThread,
        signal,
      }));
    const keys: string[] = [];
    for await (const o of store.list("")) keys.push(o.key);
    reports.push({ ...r, seconds: 0, target: "", keys }); // two stores, two names
  }
  assertEquals(reports[0], reports[1]);
  // link-to-b/c.txt and link-to-b/d.log too, and the source file named like a temp file
  assertEquals(reports[0]!.transferred, 309);
  assertEquals(reports[0]!.failed.length, 1); // the dangling link
});

Deno.test("mirror store → local: the same result walking the target on a worker thread or here", async () => {
  await using w = await tempDir();
  const results = [];
  for (const walkThread of [true, false]) {
    const store = new MemoryStore();
    for (const k of ["a.txt", "b/c.txt", "é/d.txt"]) {
      await store.put(k, new TextEncoder().encode(k));
    }
    const dest = join(w.dir, `dest-${walkThread}`);
    await writeTree(dest, { "a.txt": "a.txt", "local-only.txt": "x" });
    const opts = {
      sources: [store],
      target: dest,
      delete: true,
      statePath: join(w.dir, `d-${walkThread}.db`),
      racyWindowMs: RACY_MS,
      walkThread,
    };
    const run = (what: string) =>
      withinDeadline(
        `the ${what} mirror run (walkThread: ${walkThread})`,
        (signal) => mirror({ ...opts, signal }),
      );
    const first = await run("first");
    const again = await run("second");
    // `hashed` depends on the clock (a file written within the last second
    // is hashed again), not on the walk: left out of the comparison.
    results.push(
      [first, again].map((r) => ({ ...r, seconds: 0, hashed: 0, target: "", sources: [] })),
    );
  }
  assertEquals(results[0], results[1]);
  const [first, again] = results[0]!;
  assertEquals([first!.transferred, first!.deleted, again!.unchanged], [2, 1, 3]);
});

Deno.test("walk thread: a loop of links is the same refusal (untilChanged) as walking here", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { "a.txt": "a" });
  await Deno.symlink("l2", join(src, "l1"));
  await Deno.symlink("l1", join(src, "l2"));
  const failures = [];
  for (const walkThread of [true, false]) {
    const r = await withinDeadline(`a mirror run (walkThread: ${walkThread})`, (signal) =>
      mirror({
        sources: [src],
        target: new MemoryStore(),
        statePath: join(w.dir, `loop-${walkThread}.db`),
        racyWindowMs: RACY_MS,
        symlinks: "follow",
        walkThread,
        signal,
      }));
    failures.push(r.failed);
  }
  assertEquals(failures[0], failures[1]);
  assertEquals(failures[0]!.map((f) => f.untilChanged), [true, true]);
});
