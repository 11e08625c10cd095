/**
 * A tag holding a control character (`raw\x01`, `x\x7fy`), which the first
 * `vc repo` versions set (only whitespace and commas were refused) and a
 * catalog written by another tool may hold: vc has refused to set one since,
 * but it also refused every lookup of one, so a catalog holding it could
 * neither find nor untag it, and, worse, `vc repo backup` wrote it into a
 * snapshot that `vc repo restore` then refused whole (`line 3: tag "raw\u0001"
 * is invalid`): the backups of such a catalog were good for nothing, found
 * out only once the catalog was lost. A tag a catalog may hold is now
 * restored, found and removed as it is; setting one is still refused.
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { InvalidInputError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("a control character in a tag a catalog holds: backed up, restored, found, removed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_legacy_control_tag_" });
  try {
    const uri = pathToFileURL(join(dir, "repo")).href;
    const legacy = "raw\u0001";
    const legacyPathTag = "x\u007fy";
    let id: number;
    {
      await using repo = await Repository.init(uri);
      id = (await repo.add("/a.csv", new TextEncoder().encode("a"), { tags: ["raw"] })).id;
    }
    // As an older vc (or another tool) wrote them.
    const db = new DatabaseSync(join(dir, "repo", ".vc~repo.sqlite"));
    try {
      db.prepare("UPDATE record_tags SET tag = ? WHERE tag = 'raw'").run(legacy);
      db.prepare("INSERT INTO path_tags (path, tag) VALUES ('/a.csv', ?)").run(legacyPathTag);
    } finally {
      db.close();
    }
    const cli = async (...args: string[]) => {
      const io = memoryIo({ cwd: dir, env: { VC_REPO: uri, NO_COLOR: "1" } });
      const code = await runCli(args, io);
      return { code, stdout: io.stdout(), stderr: io.stderr() };
    };
    const backup = await cli("repo", "backup");
    assertEquals(backup.code, 0, backup.stderr);
    const restored = await cli("repo", "restore", backup.stdout.trim(), "--force", "--json");
    assertEquals(restored.code, 0, restored.stderr);
    assertEquals(JSON.parse(restored.stdout).recordTags, 1);
    assertEquals(JSON.parse(restored.stdout).pathTags, 1);

    const found = await cli("repo", "find", "--any", legacy, "--json");
    assertEquals(found.code, 0, found.stderr);
    assertEquals(JSON.parse(found.stdout).map((r: { id: number }) => r.id), [id]);
    assertEquals((await cli("repo", "untag", String(id), legacy)).code, 0);
    const untagged = await cli("repo", "untag", "/a.csv", legacyPathTag);
    assertEquals(untagged.code, 0, untagged.stderr);
    await using repo = await Repository.open(uri);
    assertEquals((await repo.get(id)).tags, []);

    // Setting one is refused still, on the command line and in the library.
    const set = await cli("repo", "tag", String(id), "new\u0001");
    assertEquals(set.code, 2);
    assertStringIncludes(set.stderr, "control characters");
    const added = await cli("repo", "add", "/b.csv", "b.csv", "--tag", "new\u0001");
    assertEquals(added.code, 2);
    await assertRejects(
      () => repo.tag({ id }, ["new\u0001"]),
      InvalidInputError,
      "control characters",
    );
    await assertRejects(() => repo.find({ any: ["a\u0000b"] }), InvalidInputError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
