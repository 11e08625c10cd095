/**
 * The lock guards vc takes beside files it rewrites (`.versioned_assets.json.lock`
 * beside the manifest, the token file's `.tokens.json.lock`) live in a
 * checkout, which may hold anything a repository's author put there. A
 * symbolic link planted at a guard's name was followed: `vc add` created the
 * file it pointed to, outside the checkout (as root, `/etc/nologin` would
 * lock every other user out). A link, FIFO or directory at a guard's name is
 * now refused, naming it, before anything is published, and nothing is
 * created where a link points.
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { withFileLock } from "../src/file_lock.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";

const linkable = Deno.build.os !== "windows"; // symlinks need privileges there
const GUARD = ".versioned_assets.json.lock";

Deno.test({
  name: "vc add refuses a dangling link planted as the manifest's lock guard, creating nothing",
  ignore: !linkable,
  async fn() {
    await using ws = await CliWorkspace.create();
    await Deno.mkdir(ws.path("outside"));
    await Deno.symlink(ws.path("outside/created"), ws.path(GUARD));
    await ws.write("a.csv", "a\n");
    const r = await ws.vc("add", "/a.csv", "a.csv");
    assertFailure(r, 1, ws.path(GUARD), "is a symbolic link", "nothing was published");
    assertEquals([...Deno.readDirSync(ws.path("outside"))], [], "nothing created through it");
    assertEquals([...Deno.readDirSync(ws.bucketDir)], [], "nothing published");
  },
});

Deno.test({
  name: "vc add refuses a link to a file as the manifest's lock guard, which stays as it was",
  ignore: !linkable,
  async fn() {
    await using ws = await CliWorkspace.create();
    const precious = await ws.write("precious.txt", "keep\n");
    await Deno.symlink(precious, ws.path(GUARD));
    await ws.write("a.csv", "a\n");
    const r = await ws.vc("add", "/a.csv", "a.csv");
    assertFailure(r, 1, ws.path(GUARD), "is a symbolic link");
    assertEquals(await ws.read("precious.txt"), "keep\n");
    assertEquals([...Deno.readDirSync(ws.bucketDir)], []);
  },
});

Deno.test({
  name: "vc add refuses a FIFO planted as the manifest's lock guard, naming it",
  ignore: !linkable, // no mkfifo on Windows
  async fn() {
    await using ws = await CliWorkspace.create();
    const made = await new Deno.Command("mkfifo", { args: [ws.path(GUARD)] }).output();
    assertEquals(made.code, 0);
    await ws.write("a.csv", "a\n");
    const r = await ws.vc("add", "/a.csv", "a.csv");
    assertFailure(r, 1, ws.path(GUARD), "is a FIFO");
    assertEquals([...Deno.readDirSync(ws.bucketDir)], []);
  },
});

Deno.test({
  name: "withFileLock refuses a symbolic link at the lock's name, and takes a plain file",
  ignore: !linkable,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "file_lock_planted_link_" });
    try {
      const lock = join(dir, ".x.lock");
      await Deno.symlink(join(dir, "elsewhere"), lock);
      const e = await assertRejects(() => withFileLock(lock, () => 1), InvalidInputError);
      assertStringIncludes(e.message, `lock file ${lock} is a symbolic link`);
      assertEquals(await Deno.lstat(join(dir, "elsewhere")).catch(() => undefined), undefined);
      await Deno.remove(lock);
      assertEquals(await withFileLock(lock, () => 2), 2);
      assertEquals(await withFileLock(lock, () => 3), 3, "its own file, taken again");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
