/**
 * Ctrl-C during `vc repo add` while another process holds the SQLite
 * catalog's write lock (a long writer): the add stops retrying at once,
 * deletes the content it uploaded (nothing recorded it) and exits 130.
 * Before, its retries went on until the 5 s grace period cut the process
 * short, and the uploaded content stayed an orphan in the store until a gc
 * past the grace period (7 days by default).
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { childEnv, vcCommand } from "./cli_process.ts";
import { Repository } from "../src/repo/mod.ts";
import { contentFiles } from "./interrupt_helpers.ts";

Deno.test("vc repo add: Ctrl-C while the catalog is locked deletes the upload, exit 130", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_busy_int_" });
  try {
    const repoDir = join(dir, "repo");
    const uri = pathToFileURL(repoDir).href;
    (await Repository.init(uri)).close();
    await Deno.writeFile(join(dir, "data.bin"), new Uint8Array(100_000).fill(7));
    const lock = new DatabaseSync(join(repoDir, ".vc~repo.sqlite"));
    lock.exec("BEGIN IMMEDIATE");
    let child: Deno.ChildProcess | undefined;
    try {
      child = vcCommand(dir, childEnv(dir), ["repo", "add", "/d.bin", "data.bin", "--repo", uri])
        .spawn();
      // Bounded wait until the content is up: the add then waits for the lock.
      const deadline = Date.now() + 60_000;
      while ((await contentFiles(join(repoDir, "content"))).length === 0) {
        assert(Date.now() < deadline, "the add uploaded its content");
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 1_500));
      const sent = Date.now();
      child.kill("SIGINT");
      const out = await child.output();
      child = undefined;
      assertEquals(out.code, 130, new TextDecoder().decode(out.stderr));
      // Stopped by the signal, not cut short after the 5 s grace period.
      assert(Date.now() - sent < 4_500, `exited ${Date.now() - sent} ms after Ctrl-C`);
    } finally {
      if (child !== undefined) {
        child.kill("SIGKILL");
        await child.output();
      }
      lock.exec("ROLLBACK");
      lock.close();
    }
    assertEquals(await contentFiles(join(repoDir, "content")), []);
    await using repo = await Repository.open(uri);
    assertEquals(await repo.list(), []);
    assertEquals((await repo.check()).ok, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
