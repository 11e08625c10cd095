/**
 * `vc serve expire` stopped by Ctrl-C says what it removed before it
 * stopped (expired entries, their bytes), not only `serve expire
 * interrupted`: a sweep of a large store stopped half-way had removed
 * entries nobody was told of. With `--json`, that is the document on stdout
 * (`interrupted: true`). The library reports the running count in the
 * sweep's `onProgress` (`removed`, `freedBytes`; `bytesRemoved`, its first name, kept).
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Entries } from "../src/server/entries.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

/** A directory store holding three entries expired a second ago, of 7 bytes each. */
async function expiredStore(ws: CliWorkspace): Promise<string> {
  const root = join(ws.dir, "store");
  await Deno.mkdir(join(root, "meta"), { recursive: true });
  for (const i of [1, 2, 3]) {
    await Deno.writeTextFile(
      join(root, "meta", `${String(i).repeat(128)}.json`),
      JSON.stringify({
        owner: "token-file:alice",
        filename: "placeholder",
        expiresAt: Date.now() - 1000,
        size: 7,
      }),
    );
  }
  return pathToFileURL(root).href;
}

function afterBar(stderr: string): string {
  return stderr.slice(stderr.lastIndexOf("\x1b[K") + 3).trimEnd();
}

Deno.test("serve expire interrupted: the last line says how many expired entries it removed", async () => {
  await using ws = await CliWorkspace.create();
  const store = await expiredStore(ws);
  const r = await ws.runOnTerminal(["serve", "expire", "--store", store], "expire");
  assertEquals(r.code, 130, r.stderr);
  assertEquals(
    afterBar(r.stderr),
    "vc: serve expire interrupted: removed 1 expired entry (7 B) of 1 looked at before it " +
      "stopped; the rest stays (vc serve expire run again goes on)",
  );
  assertEquals((await Array.fromAsync(Deno.readDir(join(ws.dir, "store", "meta")))).length, 2);
});

Deno.test("serve expire --json interrupted: the document says what it removed", async () => {
  await using ws = await CliWorkspace.create();
  const store = await expiredStore(ws);
  const r = await ws.runOnTerminal(["serve", "expire", "--store", store, "--json"], "expire");
  assertEquals(r.code, 130, r.stderr);
  assertEquals(JSON.parse(r.stdout), {
    interrupted: true,
    scanned: 1,
    removed: 1,
    freedBytes: 7,
    bytesRemoved: 7,
  });
});

Deno.test("Entries.sweep(): onProgress counts the expired entries removed and their bytes", async () => {
  await using store = new MemoryStore();
  for (const i of [1, 2]) {
    await store.put(
      `meta/${String(i).repeat(128)}.json`,
      new TextEncoder().encode(JSON.stringify({
        owner: "token-file:alice",
        filename: "placeholder",
        expiresAt: Date.now() - 1000,
        size: 7,
      })),
    );
  }
  const seen: unknown[] = [];
  const result = await new Entries(store).sweep({ onProgress: (p) => seen.push({ ...p }) });
  assertEquals(result.removed, 2);
  assertEquals(
    seen.map((p) => {
      const { current: _, ...rest } = p as { current?: string };
      return rest;
    }),
    // Each entry when looked at, again once removed, then the turn to the data objects.
    [
      { done: 1, removed: 0, freedBytes: 0, bytesRemoved: 0 },
      { done: 1, removed: 1, freedBytes: 7, bytesRemoved: 7 },
      { done: 2, removed: 1, freedBytes: 7, bytesRemoved: 7 },
      { done: 2, removed: 2, freedBytes: 14, bytesRemoved: 14 },
      { done: 2, removed: 2, freedBytes: 14, bytesRemoved: 14 },
    ],
  );
});
