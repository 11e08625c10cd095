/**
 * `watchMirror()`'s heartbeat (`watch_beat.ts`: a file written every 5 s in
 * a temporary directory the watcher also watches) where the temporary
 * directory is inside the mirrored tree: a user mirroring their home with
 * `TMPDIR=$HOME/tmp`, or mirroring `/tmp` itself. The full passes uploaded
 * the heartbeat (`vc-watch-beat-…/beat`) to the store, and deleted it from
 * there again once the watch ended. Now the heartbeat is made where the
 * tree is not; and its directory is named by its real path, as macOS's
 * FSEvents names the paths of its events (`/private/var/folders/…` for a
 * `TMPDIR` of `/var/folders/…`).
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import {
  fakeBackend,
  storeContents,
  tempDir,
  until,
  watchWithTestEvents,
} from "./mirror_helpers.ts";
import { BEAT_INTERVAL_MS, WatchBeat } from "../src/mirror/watch_beat.ts";

/** Runs `fn` with `TMPDIR` (and `TMP`, `TEMP`) set to `dir`, restored after. */
async function withTempDirAt<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const names = ["TMPDIR", "TMP", "TEMP"];
  const before = names.map((n) => Deno.env.get(n));
  for (const n of names) Deno.env.set(n, dir);
  try {
    return await fn();
  } finally {
    names.forEach((n, i) => {
      const v = before[i];
      if (v === undefined) Deno.env.delete(n);
      else Deno.env.set(n, v);
    });
  }
}

/** The heartbeat directories under `dir`. */
function beatDirs(dir: string): string[] {
  return [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("vc-watch-beat-"))
    .map((e) => join(dir, e.name));
}

Deno.test("mirror --watch: the heartbeat of a watch whose TMPDIR is inside the tree is never uploaded", async () => {
  await using b = await fakeBackend();
  await using w = await tempDir();
  const src = join(w.dir, "home");
  const tmp = join(src, "tmp");
  await Deno.mkdir(tmp, { recursive: true });
  await Deno.writeTextFile(join(src, "a.txt"), "a");
  await withTempDirAt(tmp, async () => {
    // Deno's own watcher (the heartbeat is for it), on the real tree.
    await using watch = watchWithTestEvents(src, b.store, w.dir, {
      watchFs: (paths, options) =>
        Object.assign(Deno.watchFs(paths, options), { denoWatcher: true }),
    });
    const { clock, counts } = watch;
    await until("the first pass", () => counts.idle > 0);
    // A beat is due every BEAT_INTERVAL_MS of real time: the watch is let
    // idle (its clock advanced a second at a time) past two of them.
    const deadline = performance.now() + 2 * BEAT_INTERVAL_MS + 1_000;
    for (let i = 0; i < 40 && performance.now() < deadline; i++) {
      const idle = counts.idle;
      await clock.advance(1_000);
      await until("the watch to idle", () => counts.idle > idle);
      await new Promise((r) => setTimeout(r, 250));
    }
    // A full pass (the reconcile interval is an hour here).
    const idle = counts.idle;
    await clock.advance(3_600_000);
    await until("the full pass", () => counts.idle > idle);
    const keys = Object.keys(await storeContents(b.store));
    assertEquals(keys.filter((k) => k.includes("vc-watch-beat-")), []);
    assertEquals(keys, ["a.txt"]);
  });
});

Deno.test("mirror --watch: WatchBeat.open makes its directory outside the given roots, by its real path", async () => {
  await using w = await tempDir();
  const real = join(w.dir, "real");
  await Deno.mkdir(real);
  // A TMPDIR reached through a link (macOS's /var/folders is /private/var/folders).
  const link = join(w.dir, "link");
  await Deno.symlink(real, link);
  const outside = await withTempDirAt(link, () => WatchBeat.open([join(w.dir, "elsewhere")]));
  assert(outside !== undefined);
  try {
    assertEquals(beatDirs(real), [outside.dir]);
  } finally {
    await outside.close();
  }
  // TMPDIR inside a root (through the link, too): not made there.
  const inside = await withTempDirAt(link, () => WatchBeat.open([real]));
  try {
    assertEquals(beatDirs(real), []);
    if (inside !== undefined) assert(!inside.dir.startsWith(real + "/"), inside.dir);
  } finally {
    await inside?.close();
  }
});

Deno.test("mirror --watch: a process that exits while it watches (a second Ctrl-C) leaves no heartbeat directory", async () => {
  await using w = await tempDir();
  const tmp = join(w.dir, "tmp");
  const data = join(w.dir, "data");
  await Deno.mkdir(tmp);
  await Deno.mkdir(data);
  await Deno.writeTextFile(join(data, "a.txt"), "a");
  const watchModule = new URL("../src/mirror/watch.ts", import.meta.url).href;
  // As `vc`'s exitNow (src/cli/process.ts): Deno.exit while the watch runs.
  const script = `
    import { watchMirror } from ${JSON.stringify(watchModule)};
    await watchMirror({
      sources: [${JSON.stringify(data)}],
      target: ${JSON.stringify(`file://${w.dir}/bucket`)},
      statePath: ${JSON.stringify(join(w.dir, "s.db"))},
      onIdle: () => {
        const made = [...Deno.readDirSync(${JSON.stringify(tmp)})].length;
        console.log("beat dirs while watching:", made);
        Deno.exit(130);
      },
    });
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    env: { TMPDIR: tmp, TMP: tmp, TEMP: tmp, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 130, text);
  assert(text.includes("beat dirs while watching: 1"), text);
  assertEquals(beatDirs(tmp), []);
});
