/**
 * `vc sync DEST` keeps its journal in `DEST/.vc-sync.json.lock`, a file it
 * truncates and appends to. DEST may come from a checkout or an unpacked
 * archive, so something other than a file of its own may be planted at that
 * name: a symbolic link (to a file outside DEST, or dangling), a hard link
 * of a file outside DEST, a FIFO. Each was opened and written as the
 * journal: the linked file outside DEST was emptied (or created), and a
 * FIFO failed with a bare "Illegal seek (os error 29)". Each is now refused
 * before anything is copied, naming the journal and what is there, and
 * nothing outside DEST is created, read into the sync or changed.
 */
import { assertEquals } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

const JOURNAL = "out/.vc-sync.json.lock";

async function refused(
  plant: (ws: CliWorkspace) => Promise<void>,
  what: string,
  check: (ws: CliWorkspace) => Promise<void> | void,
): Promise<void> {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  assertEquals((await ws.vc("add", "/demo/a.csv", "a.csv")).code, 0);
  await Deno.mkdir(ws.path("out"));
  await Deno.mkdir(ws.path("outside"));
  await plant(ws);
  const r = await ws.vc("sync", "out");
  assertFailure(r, 1, ws.path(JOURNAL), what, "nothing was copied");
  assertEquals(await Deno.lstat(ws.path("out/demo")).catch(() => undefined), undefined);
  await check(ws);
}

Deno.test({
  name: "vc sync refuses a journal that is a symbolic link to a file outside DEST, which it kept",
  ignore: Deno.build.os === "windows", // symlinks need privileges there
  async fn() {
    await refused(
      async (ws) => {
        await ws.write("outside/precious.txt", "keep\n");
        await Deno.symlink(ws.path("outside/precious.txt"), ws.path(JOURNAL));
      },
      "is a symbolic link",
      async (ws) => {
        assertEquals(await ws.read("outside/precious.txt"), "keep\n");
      },
    );
  },
});

Deno.test({
  name: "vc sync refuses a journal that is a dangling symbolic link, creating nothing outside DEST",
  ignore: Deno.build.os === "windows",
  async fn() {
    await refused(
      async (ws) => {
        await Deno.symlink(ws.path("outside/new.txt"), ws.path(JOURNAL));
      },
      "is a symbolic link",
      (ws) => {
        assertEquals([...Deno.readDirSync(ws.path("outside"))], []);
      },
    );
  },
});

Deno.test({
  name: "vc sync refuses a journal that is a hard link of another file, which it kept",
  ignore: Deno.build.os === "windows",
  async fn() {
    await refused(
      async (ws) => {
        await ws.write("outside/precious.txt", "keep\n");
        await Deno.link(ws.path("outside/precious.txt"), ws.path(JOURNAL));
      },
      "has 2 hard links",
      async (ws) => {
        assertEquals(await ws.read("outside/precious.txt"), "keep\n");
      },
    );
  },
});

Deno.test({
  name: "vc sync refuses a journal that is a FIFO, naming it",
  ignore: Deno.build.os === "windows", // no mkfifo
  async fn() {
    await refused(
      async (ws) => {
        const made = await new Deno.Command("mkfifo", { args: [ws.path(JOURNAL)] }).output();
        assertEquals(made.code, 0);
      },
      "is a FIFO",
      (ws) => {
        assertEquals(Deno.lstatSync(ws.path(JOURNAL)).isFifo, true, "left as it was");
      },
    );
  },
});
