/**
 * `vc repo backup DEST` refuses a DEST it cannot write (a file or object
 * already there, a directory) before it reads the catalog: it read the whole
 * catalog into its snapshot first and was refused at the upload (3 s for
 * 300,000 records, minutes for millions: a cron job run twice with one
 * dated name, a DEST typed as a directory). `onProgress` tells whether the
 * catalog was read.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import type { SnapshotProgress } from "../src/repo/mod.ts";
import { repoOnFakeS3 } from "./repo_on_fake_s3.ts";

async function refusedUnread(repo: Repository, dest: string, words: string): Promise<void> {
  const steps: SnapshotProgress[] = [];
  const e = await assertRejects(
    () => repo.backup(dest, { onProgress: (p) => void steps.push(p) }),
    InvalidInputError,
  );
  assertStringIncludes(e.message, words);
  assertEquals(steps.map((s) => s.current), [], `${dest}: the catalog was read`);
}

Deno.test("repo backup to a local file that exists, or a directory, is refused before the catalog is read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_backup_taken_" });
  try {
    await using repo = await Repository.init(pathToFileURL(join(dir, "store")).href);
    await repo.add("/a.csv", new TextEncoder().encode("a\n"));
    const taken = join(dir, "catalog.jsonl.gz");
    await Deno.writeTextFile(taken, "mine\n");
    await Deno.mkdir(join(dir, "existing"));
    await refusedUnread(repo, taken, `${taken} already exists`);
    await refusedUnread(repo, pathToFileURL(taken).href, "already exists");
    await refusedUnread(repo, join(dir, "existing"), "names a directory, not a file");
    assertEquals(await Deno.readTextFile(taken), "mine\n");
    // A new name is written, as before.
    assertEquals((await repo.backup(join(dir, "new.jsonl.gz"))).uri, join(dir, "new.jsonl.gz"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo backup to an S3 object that exists, or a prefix holding objects, is refused before the catalog is read", async () => {
  await using t = await repoOnFakeS3("vc_repo_backup_taken_s3_");
  await t.repo.add("/a.csv", new TextEncoder().encode("a\n"));
  await t.repo.backup("s3://b/kept/first.jsonl.gz");
  const before = t.s3.listKeys("b");
  await refusedUnread(t.repo, "s3://b/kept/first.jsonl.gz", "already exists");
  await refusedUnread(t.repo, "s3://b/kept", "names a directory, not a file");
  assertEquals(t.s3.listKeys("b"), before);
  // A HEAD refused (a credential that may put backups but not read them)
  // leaves the answer to the create-only write, as before.
  t.s3.failNext(1, "internal", (r) => r.op === "HeadObject");
  assertEquals((await t.repo.backup("s3://b/unread")).uri, "s3://b/unread");
});

Deno.test({
  name:
    "repo backup to a local DEST under a file, or a FIFO, is refused before the catalog is read",
  ignore: Deno.build.os === "windows", // mkfifo
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_repo_backup_unwritable_" });
    try {
      await using repo = await Repository.init(pathToFileURL(join(dir, "store")).href);
      await repo.add("/a.csv", new TextEncoder().encode("a\n"));
      const file = join(dir, "afile");
      await Deno.writeTextFile(file, "mine\n");
      const fifo = join(dir, "fifo");
      await new Deno.Command("mkfifo", { args: [fifo] }).output();
      // Both were refused only at the write, once the whole catalog was read.
      await refusedUnread(
        repo,
        join(file, "sub", "b.jsonl.gz"),
        `a file is where one of its directories belongs: ${file}`,
      );
      await refusedUnread(repo, fifo, `${fifo} is not a regular file but a FIFO`);
      assertEquals(await Deno.readTextFile(file), "mine\n");
      assertEquals(Deno.lstatSync(fifo).isFifo, true);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
