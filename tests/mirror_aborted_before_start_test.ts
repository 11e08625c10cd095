// mirror(), Mirror.open() and watchMirror() given a signal that aborted
// before the call: an abort event fires only when the signal aborts, so the
// mirror used to open (and write) its state file and take its lock, then
// reject with an empty MirrorInterruptedError, and a watch made a full pass
// and resolved saying it had made one. Each now rejects with the signal's
// reason, having opened and written nothing, as serveCache does.
import { join } from "node:path";
import { Mirror, mirror, watchMirror } from "../src/mirror/mod.ts";
import { assertEquals, assertRejects } from "./assert.ts";

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

const calls = {
  "mirror()": (o: Parameters<typeof mirror>[0]) => mirror(o),
  "Mirror.open()": async (o: Parameters<typeof mirror>[0]) => {
    await (await Mirror.open(o)).close();
  },
  "watchMirror({ signal })": (o: Parameters<typeof mirror>[0]) => watchMirror(o),
  "watchMirror({ cancel })": (o: Parameters<typeof mirror>[0]) => {
    const { signal, ...rest } = o;
    return watchMirror({ ...rest, cancel: signal! });
  },
};

for (const [name, call] of Object.entries(calls)) {
  Deno.test(`${name}: a signal aborted before the call rejects with its reason, nothing written`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc_mirror_preaborted_" });
    try {
      await Deno.mkdir(join(dir, "src"));
      await Deno.writeTextFile(join(dir, "src", "a.txt"), "a");
      const reason = new Error("aborted already");
      const error = await assertRejects(() =>
        call({
          sources: [join(dir, "src")],
          target: `file://${join(dir, "bucket")}`,
          statePath: join(dir, "state.sqlite"),
          signal: AbortSignal.abort(reason),
        })
      );
      assertEquals(error, reason);
      // No state file, no lock file, no bucket.
      assertEquals(await entries(dir), ["src"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("mirror(): a signal that aborts while the mirror opens rejects with its reason, the state unlocked", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_mirror_abort_opening_" });
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "a.txt"), "a");
    const { FsStore } = await import("../src/store/fs.ts");
    await using store = new FsStore(join(dir, "bucket"));
    const options = {
      sources: [join(dir, "src")],
      target: `file://${join(dir, "bucket")}`,
      statePath: join(dir, "state.sqlite"),
    };
    const stop = new AbortController();
    const reason = new Error("aborted while opening");
    const error = await assertRejects(() =>
      mirror({
        ...options,
        signal: stop.signal,
        // The store is opened as the mirror opens: the signal aborts then.
        openStore: () => {
          stop.abort(reason);
          return Promise.resolve(store);
        },
      })
    );
    assertEquals(error, reason);
    assertEquals(await entries(join(dir, "bucket")).catch(() => []), []);
    // Nothing holds the state's lock: the next run mirrors.
    assertEquals(
      (await mirror({ ...options, openStore: () => Promise.resolve(store) })).transferred,
      1,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
