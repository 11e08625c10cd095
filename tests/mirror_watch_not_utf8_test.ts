/**
 * `watchMirror()` when a file whose name is not valid UTF-8 (Latin-1 `café`,
 * from an old zip archive) is made in the watched tree: Deno's watcher ends
 * for good at its event ("path contains invalid UTF-8 characters", and every
 * later read throws the same), so no change after it was seen until the next
 * full pass (10 min by default). The watch starts a new watcher and makes a
 * full pass at once. Linux only: the name is made with `printf` (Deno cannot
 * name a file with bytes that are not UTF-8), and macOS refuses such names.
 */
import { join } from "node:path";
import { watchMirror, type WatchReport } from "../src/mirror/watch.ts";
import { assert, assertEquals } from "./assert.ts";
import {
  fakeBackend,
  storeContents,
  tempDir,
  until as untilHolds,
  writeTree,
} from "./mirror_helpers.ts";

Deno.test({
  name: "mirror --watch: a file name that is not UTF-8 does not end the watching of later changes",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using b = await fakeBackend();
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a" });
    const stop = new AbortController();
    const errors: string[] = [];
    let idle = 0;
    const watching: Promise<WatchReport> = watchMirror({
      sources: [src],
      target: b.store,
      statePath: join(w.dir, "s.db"),
      debounceMs: 100,
      reconcileIntervalMs: 3_600_000,
      signal: stop.signal,
      onError: (e) => errors.push(e instanceof Error ? e.message : String(e)),
      onIdle: () => idle++,
    });
    // Real events from a real watcher: a wait of up to 10 s for each.
    const until = (what: string, cond: () => boolean | Promise<boolean>) =>
      untilHolds(what, cond, { tries: 250, everyMs: 40 });
    try {
      await until("the first pass", async () => (await storeContents(b.store))["a.txt"] === "a");
      await until("idle", () => idle > 0);
      const made = await new Deno.Command("sh", {
        args: ["-c", `printf x > "$1/$(printf 'caf\\351.txt')"`, "sh", src],
      }).output();
      assert(made.success, "the Latin-1 name was made");
      // Let the watcher meet that name's events before the next change.
      await new Promise((r) => setTimeout(r, 300));
      await Deno.writeTextFile(join(src, "b.txt"), "b");
      await until(
        "b.txt uploaded by its event",
        async () => (await storeContents(b.store))["b.txt"] === "b",
      );
      assert(
        errors.some((e) => e.includes("file watcher") && e.includes("watching again")),
        errors.join("\n"),
      );
      // And the new watcher goes on seeing changes.
      await Deno.writeTextFile(join(src, "c.txt"), "c");
      await until(
        "c.txt uploaded by its event",
        async () => (await storeContents(b.store))["c.txt"] === "c",
      );
    } finally {
      stop.abort();
      await watching.catch(() => {});
    }
    assertEquals((await storeContents(b.store))["a.txt"], "a");
  },
});
