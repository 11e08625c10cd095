/**
 * `repo gc` against a bucket another tool wrote into: an object under the
 * content prefix whose key the store cannot address (`content/../x`) must
 * not stop the collection; it is reported and everything else is collected.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { openStore } from "../src/store/open.ts";
import { testS3Options } from "./versioned_helpers.ts";
import { Repository } from "../src/repo/mod.ts";
import { systemClock } from "../src/clock.ts";

Deno.test("repo gc skips a planted key the store cannot address and collects the rest", async () => {
  await using s3 = await startFakeS3({ buckets: ["repo"] });
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_gc_planted_" });
  try {
    const store = testS3Options(s3, { maxAttempts: 1 });
    const repo = await Repository.init("s3://repo/r", {
      catalog: `sqlite:${join(dir, "c.sqlite")}`,
      openStore: (u) => openStore(u, store),
      // A minute ahead, so the planted objects are past a zero grace period.
      clock: {
        now: () => Date.now() + 60_000,
        sleep: (ms, signal) => systemClock.sleep(ms, signal),
      },
    });
    try {
      // Planted by another tool, straight into the server.
      await s3.putObject("repo", "r/content/../evil", "x");
      await s3.putObject("repo", "r/content/orphan", "y");
      // The key a URL would make of it: S3Store deletes `..` keys by name
      // (in a DeleteObjects body), so this one is never touched.
      await s3.putObject("repo", "r/evil", "z");
      // No URL can name it, so a HEAD or GET is refused: gc cannot read it.
      await s3.putObject("repo", "r/content/a\u0001/../evil", "w");
      const report = await repo.gc({ graceMs: 0 });
      assertEquals(report.deletedObjects.sort(), ["content/../evil", "content/orphan"]);
      assertEquals(report.skippedObjects.map((s) => s.key), ["content/a\u0001/../evil"]);
      assert(report.skippedObjects[0]?.problem.includes('".." path segment'));
      assertEquals(s3.listKeys("repo", "r/").sort(), [
        "r/.vc-repo.json",
        "r/content/a\u0001/../evil",
        "r/evil",
      ]);
    } finally {
      await repo.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo init refuses a store whose content/ already holds someone else's objects", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_gc_planted_" });
  try {
    await Deno.mkdir(join(dir, "site", "content"), { recursive: true });
    await Deno.writeTextFile(join(dir, "site", "content", "index.html"), "precious");
    const uri = `file://${join(dir, "site")}`;
    await assertRejects(() => Repository.init(uri), InvalidInputError, "content/index.html");
    // Nothing was created, nothing deleted; an empty prefix below works.
    assertEquals(await Deno.readTextFile(join(dir, "site", "content", "index.html")), "precious");
    await assertRejects(() => Deno.stat(join(dir, "site", ".vc-repo.json")), Deno.errors.NotFound);
    await (await Repository.init(`${uri}/repo`)).close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a SQLite catalog inside the content directory gc collects is refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_gc_planted_" });
  try {
    const uri = `file://${join(dir, "r")}`;
    for (const path of ["content/c.sqlite", "content/sub/c.sqlite", "content"]) {
      await assertRejects(
        () => Repository.init(uri, { catalog: `sqlite:${join(dir, "r", path)}` }),
        InvalidInputError,
        "inside the repository's content",
      );
    }
    // Beside the content is fine.
    await (await Repository.init(uri, { catalog: `sqlite:${join(dir, "r", "c.sqlite")}` }))
      .close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("repo init refuses a store inside another repository's content (file:// and s3://)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_gc_planted_" });
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const store = testS3Options(s3, { maxAttempts: 1 });
  const open = (u: string) => openStore(u, store);
  try {
    const outer = `file://${join(dir, "outer")}`;
    await (await Repository.init(outer)).close();
    await assertRejects(
      () => Repository.init(`${outer}/content/inner`),
      InvalidInputError,
      "inside the content",
    );
    await (await Repository.init(`${outer}/beside`)).close();

    const catalog = (n: string) => `sqlite:${join(dir, `${n}.sqlite`)}`;
    await (await Repository.init("s3://b/outer", { catalog: catalog("o"), openStore: open }))
      .close();
    await assertRejects(
      () =>
        Repository.init("s3://b/outer/content/x/inner", { catalog: catalog("i"), openStore: open }),
      InvalidInputError,
      "inside the content",
    );
    assertEquals(s3.listKeys("b", "outer/content/"), []);
    await (await Repository.init("s3://b/other", { catalog: catalog("x"), openStore: open }))
      .close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
