/**
 * `vc mirror` into a target on a read-only file system (a CI volume mounted
 * `:ro`, a read-only checkout), which refuses root as well and no chmod
 * makes writable. A `file://` store there said "give the user vc runs write
 * access to the store's directory" (the advice for a mode), one line per
 * directory of keys; a store → local mirror into one said the bare OS text,
 * `Read-only file system (os error 30): mkdir '…'`, on a line per file.
 * Now each says the file system is read-only and what to do, in one line.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { probeReadOnlyMount, readOnlyMount } from "./mounts.ts";

const canMountReadOnly = await probeReadOnlyMount();

/** The `vc: mirror:` lines of `stderr` that report failures (not the summary). */
function failureLines(stderr: string): string[] {
  return stderr.trim().split("\n").filter((l) =>
    l.startsWith("vc: mirror: ") && !/: \d+ failed; /.test(l)
  );
}

/** 3 files in each of the directories d0…d3. */
async function tree(ws: CliWorkspace, dir: string): Promise<void> {
  for (let d = 0; d < 4; d++) {
    for (let f = 0; f < 3; f++) await ws.write(`${dir}/d${d}/f${f}.txt`, `${d}${f}`);
  }
}

Deno.test({
  name:
    "vc mirror file://STORE DIR, DIR on a read-only mount: one line says the file system is read-only " +
    "(ignored where a read-only bind mount cannot be made: not root)",
  ignore: !canMountReadOnly,
  async fn() {
    await using ws = await CliWorkspace.create();
    await tree(ws, "store");
    const target = ws.path("out");
    // One directory there already (its files' temp files are refused), the others not (mkdir is).
    await Deno.mkdir(join(target, "d0"), { recursive: true });
    let run: Awaited<ReturnType<typeof ws.run>> | undefined;
    const mounted = await readOnlyMount(target, async () => {
      run = await ws.run([
        "mirror",
        pathToFileURL(ws.path("store")).href,
        target,
        "--state",
        ws.path("s.db"),
      ]);
    });
    assertEquals(mounted, true);
    assertEquals(run!.code, 1, run!.stderr);
    const lines = failureLines(run!.stderr);
    assertEquals(lines.length, 1, run!.stderr);
    assertStringIncludes(lines[0]!, "12 paths (");
    assertStringIncludes(lines[0]!, "its file system is mounted read-only");
    assertStringIncludes(lines[0]!, "remount it read-write");
    assertEquals(lines[0]!.includes("access to"), false, lines[0]);
  },
});

Deno.test({
  name:
    "vc mirror DIR file://STORE, STORE on a read-only mount: one line, no write-access advice " +
    "(ignored where a read-only bind mount cannot be made: not root)",
  ignore: !canMountReadOnly,
  async fn() {
    await using ws = await CliWorkspace.create();
    await tree(ws, "data");
    const store = ws.path("store");
    await Deno.mkdir(store);
    let run: Awaited<ReturnType<typeof ws.run>> | undefined;
    const mounted = await readOnlyMount(store, async () => {
      run = await ws.run(["mirror", "data", pathToFileURL(store).href, "--state", "s.db"]);
    });
    assertEquals(mounted, true);
    assertEquals(run!.code, 1, run!.stderr);
    const lines = failureLines(run!.stderr);
    assertEquals(lines.length, 1, run!.stderr);
    assertStringIncludes(lines[0]!, "12 paths (");
    assertStringIncludes(lines[0]!, `the store's directory ${store} is on a read-only file system`);
    assertStringIncludes(lines[0]!, "remount it read-write");
    assertEquals(lines[0]!.includes("access to"), false, lines[0]);
  },
});
