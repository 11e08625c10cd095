/**
 * A watch's full pass that finds a directory gone when the walk comes to it
 * (moved away or removed after its parent was listed: a `mv` or `rm -r`
 * under the pass) leaves it to the watch's events, as it leaves a file that
 * vanished while it was read: deferred, not a failure line saying "the next
 * run mirrors what is there then" and a failed count in the closing line
 * for a change the watch applies anyway. A one-shot run still says it
 * failed.
 */
import { join } from "node:path";
import { assertEquals, assertMatch } from "./assert.ts";
import { Mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ListOptions, ObjectInfo } from "../src/store/types.ts";
import { tempDir } from "./versioned_helpers.ts";

// Two directories before `z/` of more files than the walk reads ahead of
// the listing (5000): with `a/` taken by the merge (waiting for the listing)
// and `b/` held by the read-ahead, the walk waits before it reads `z/`.
const FILES = 5_100;

/** A store whose listing starts only once `go` resolves. */
class HeldStore extends MemoryStore {
  constructor(private readonly go: Promise<void>) {
    super();
  }
  override async *list(prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo> {
    await this.go;
    yield* super.list(prefix, options);
  }
}

async function passLosingDir(watch: boolean) {
  await using dir = await tempDir("vc-mirror-pass-dir-vanished-");
  const src = join(dir.path, "s");
  for (const sub of ["a", "b", "z"]) await Deno.mkdir(join(src, sub), { recursive: true });
  for (let i = 0; i < FILES; i++) {
    Deno.writeTextFileSync(join(src, "a", `f${i}`), "x");
    Deno.writeTextFileSync(join(src, "b", `f${i}`), "x");
  }
  await Deno.writeTextFile(join(src, "z", "moved.txt"), "z");
  const { promise: go, resolve } = Promise.withResolvers<void>();
  await using store = new HeldStore(go);
  await using m = await Mirror.open({
    sources: [src],
    target: store,
    statePath: join(dir.path, "s.db"),
    walkThread: false,
  });
  // Told when the walk has listed `s` (so `z` is among what it will read):
  // a fixed wait for that ran out at load 48 (ci1), `z` gone before the
  // listing and never named.
  const { promise: listedRoot, resolve: rootListed } = Promise.withResolvers<void>();
  const readDirSync = Deno.readDirSync;
  Deno.readDirSync = (path) => {
    const entries = [...readDirSync(path)];
    if (String(path) === src) rootListed();
    return entries.values();
  };
  try {
    const running = m.run(watch ? { settleMs: 0, changing: () => false } : {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      listedRoot,
      new Promise((_, reject) =>
        timer = setTimeout(() => reject(new Error(`the walk never listed ${src}`)), 60_000)
      ),
    ]).finally(() => clearTimeout(timer));
    // The walk waits in `b/` (its read-ahead full until the listing starts):
    // `z` goes before it gets there.
    await Deno.rename(join(src, "z"), join(dir.path, "z-moved"));
    resolve();
    const report = await running;
    return { report, gone: join(src, "z") };
  } finally {
    Deno.readDirSync = readDirSync;
  }
}

Deno.test("mirror watch pass: a directory moved away under the walk is deferred, not failed", async () => {
  const { report, gone } = await passLosingDir(true);
  assertEquals(report.failed, []);
  assertEquals(report.deferred, [gone]);
  assertEquals(report.transferred, 2 * FILES);
});

Deno.test("mirror one-shot run: a directory moved away under the walk fails, named", async () => {
  const { report, gone } = await passLosingDir(false);
  assertEquals(report.failed.map((f) => f.path), [gone]);
  assertMatch(report.failed[0]!.error, /^vanished: /);
});
