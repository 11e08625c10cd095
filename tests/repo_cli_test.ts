/**
 * `vc repo …` run as a process with the release permissions, end to end:
 * a SQLite repository in a directory, the same workflow on PostgreSQL, and
 * bad input answered with clear errors and the right exit codes. In a
 * test, each subcommand's first run is the process; its later ones (bad
 * input, mostly) run the same command line in-process (see
 * {@linkcode firstAsProcess}).
 */
import { join } from "node:path";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { firstAsProcess, ok, withWorkspace } from "./cli_process.ts";
import { havePostgres, startPgServer } from "./pg_server.ts";
import { closedPort } from "./closed_port.ts";

async function workflow(catalog: string | undefined) {
  await withWorkspace(async (dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess);
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n1,2\n");
    const init = ok(
      await vc(["repo", "init", ...(catalog ? ["--catalog", catalog] : [])], env),
      "init",
    );
    assertStringIncludes(init.stdout, catalog ? "postgres://" : "sqlite:");
    const marker = JSON.parse(await Deno.readTextFile(join(dir, "repo", ".vc-repo.json")));
    assertEquals(marker.catalog.kind, catalog ? "postgres" : "sqlite");
    if (catalog) {
      // The password may come with the URL at run time; it is never recorded.
      ok(await vc(["repo", "ls", "--catalog", catalog.replace("://vc@", "://vc:pw@")], env), "ls");
      assert(!JSON.stringify(marker).includes("pw"));
      const other = await vc(
        ["repo", "ls", "--catalog", catalog.replace(/\/[^/]+$/, "/other")],
        env,
      );
      assertEquals(other.code, 1);
      assertStringIncludes(other.stderr, "is not the repository's catalog");
    }

    const id = ok(
      await vc(
        ["repo", "add", "/data/a.csv", "a.csv", "--tag", "raw,eu", "--date-tag", "day"],
        env,
      ),
      "add",
    )
      .stdout.trim();
    assertMatch(id, /^\d+$/);
    ok(await vc(["repo", "publish", id], env), "publish");
    const current = JSON.parse(
      ok(await vc(["repo", "current", "/data/a.csv", "--json"], env), "current").stdout,
    );
    assertEquals([current.id, current.path, current.state, current.size], [
      Number(id),
      "/data/a.csv",
      "published",
      8,
    ]);
    assert(current.tags.includes("raw") && current.tags.some((t: string) => t.startsWith("day:")));
    assertEquals(typeof current.md5, "string");

    const found = JSON.parse(
      ok(await vc(["repo", "find", "--any", "raw", "--exclude", "done", "--json"], env), "find")
        .stdout,
    );
    assertEquals(found.map((r: { id: number }) => r.id), [Number(id)]);
    const claim = JSON.parse(
      ok(await vc(["repo", "claim", "--tag", "raw", "--ttl", "5m", "--json"], env), "claim").stdout,
    );
    assertEquals(claim.record.id, Number(id));
    const none = ok(
      await vc(["repo", "claim", "--tag", "raw", "--ttl", "300", "--json"], env),
      "claim none",
    );
    assertEquals(JSON.parse(none.stdout), null);
    ok(await vc(["repo", "renew", id, "--holder", claim.holder, "--ttl", "10m"], env), "renew");
    ok(await vc(["repo", "release", id, "--holder", claim.holder], env), "release");
    ok(await vc(["repo", "tag", "/data/a.csv", "done"], env), "tag path");
    // A tag that is not there is said to be, not reported as removed.
    const untag = ok(await vc(["repo", "untag", "/data/a.csv", "done,dnoe"], env), "untag");
    assertStringIncludes(untag.stderr + untag.stdout, "untagged /data/a.csv: done");
    assertStringIncludes(untag.stderr + untag.stdout, "not tagged /data/a.csv: dnoe");
    const again = ok(await vc(["repo", "untag", "/data/a.csv", "done", "--json"], env), "again");
    assertEquals(JSON.parse(again.stdout).changed, []);
    ok(await vc(["repo", "tag", "/data/a.csv", "done"], env), "tag path again");
    // The record shows its path's tag, which is not the record's to remove: said so.
    const viaPath = ok(await vc(["repo", "untag", id, "done"], env), "untag inherited");
    assertStringIncludes(viaPath.stderr + viaPath.stdout, "not tagged");
    assertStringIncludes(viaPath.stderr + viaPath.stdout, "vc repo untag /data/a.csv done");
    // A tag given twice is one tag.
    const twice = JSON.parse(
      ok(await vc(["repo", "untag", id, "zz,zz", "--json"], env), "twice").stdout,
    );
    assertEquals([twice.tags, twice.unchanged], [["zz"], ["zz"]]);
    // A path no record has: tagged (for versions to come), and said so.
    const typoPath = ok(await vc(["repo", "tag", "/data/a.cvs", "done"], env), "typo path");
    assertStringIncludes(typoPath.stdout + typoPath.stderr, "no record has path /data/a.cvs yet");
    const typoJson = JSON.parse(
      ok(await vc(["repo", "tag", "/data/a.cvs", "done", "--json"], env), "typo json").stdout,
    );
    assertEquals(typoJson.noRecords, true);
    const realPath = ok(await vc(["repo", "tag", "/data/a.csv", "x"], env), "real path");
    assert(!(realPath.stdout + realPath.stderr).includes("no record"), realPath.stdout);
    const emptyGrace = await vc(["repo", "gc", "--grace", ""], env);
    assertEquals(emptyGrace.code, 2, emptyGrace.stderr);
    const shortGrace = ok(await vc(["repo", "gc", "--dry-run", "--grace", "1s"], env), "gc 1s");
    assertStringIncludes(shortGrace.stderr, "--grace 1s is shorter than an hour");

    ok(await vc(["repo", "get", id, "--to", "copy.csv"], env), "get --to");
    assertEquals(await Deno.readTextFile(join(dir, "copy.csv")), "a,b\n1,2\n");

    const dry = JSON.parse(ok(await vc(["repo", "gc", "--dry-run", "--json"], env), "gc").stdout);
    assertEquals(dry.dryRun, true);
    const check = JSON.parse(ok(await vc(["repo", "check", "--json"], env), "check").stdout);
    assertEquals([check.ok, check.records], [true, 1]);

    const backupUri = ok(await vc(["repo", "backup"], env), "backup").stdout.trim();
    assertMatch(backupUri, /backups\/catalog-.*\.jsonl\.gz$/);
    const refused = await vc(["repo", "restore", backupUri], env);
    assertEquals(refused.code, 1);
    assertStringIncludes(refused.stderr, "--force");
    const dest = `file://${join(dir, "snapshots", "snap.jsonl.gz")}`;
    assertEquals(ok(await vc(["repo", "backup", dest], env), "backup to DEST").stdout.trim(), dest);
    const moved = `sqlite:${join(dir, "moved.sqlite")}`;
    ok(await vc(["repo", "restore", dest, "--catalog", moved], env), "restore elsewhere");
    const after = JSON.parse(ok(await vc(["repo", "ls", "--json"], env), "ls").stdout);
    assertEquals(after.length, 1);
    assert(after[0].tags.includes("done"));

    // Bad input: each a clear message and exit 1 (2 for usage).
    const unknown = await vc(["repo", "publish", "999"], env);
    assertEquals(unknown.code, 1);
    assertStringIncludes(unknown.stderr, "no record with id 999");
    const purge = await vc(["repo", "purge", id], env);
    assertEquals(purge.code, 1);
    assertStringIncludes(purge.stderr, "it is published");
    const exclude = await vc(["repo", "find", "--exclude", "raw"], env);
    assertEquals(exclude.code, 2);
    assertStringIncludes(exclude.stderr, "--exclude alone");
    const badTag = await vc(["repo", "tag", id, "bad tag"], env);
    assertStringIncludes(badTag.stderr, 'tag "bad tag" is invalid');
    // A mistyped id is neither an id nor a path: refused, no path tagged.
    for (const target of ["abc", "1.5", "0x1", " 42"]) {
      const typo = await vc(["repo", "tag", target, "typo"], env);
      assertEquals(typo.code, 2, target);
      assertStringIncludes(typo.stderr, "neither a record id");
    }
    const typoTagged = await vc(["repo", "find", "--any", "typo", "--json"], env);
    assertEquals(JSON.parse(typoTagged.stdout).length, 0);
    const manyTags = Array.from({ length: 1000 }, (_, i) => `t${i}`).join(",");
    const tooMany = await vc(["repo", "find", "--all", manyTags], env);
    assertEquals(tooMany.code, 1);
    assertStringIncludes(tooMany.stderr, "too many");
    const controlTag = await vc(["repo", "tag", id, "x\u0001"], env);
    assertEquals(controlTag.code, 2);
    assertStringIncludes(controlTag.stderr, "control characters");
    const controlPath = await vc(["repo", "add", "/data/a\tb.csv", "a.csv"], env);
    assertEquals(controlPath.code, 2);
    assertStringIncludes(controlPath.stderr, "control characters");
    const badLimit = await vc(["repo", "ls", "--limit", "abc"], env);
    assertEquals(badLimit.code, 2);
    assertStringIncludes(badLimit.stderr, '--limit must be a whole number 1 or more, got "abc"');
    // --to an existing directory: into it, under the record's name (like cp).
    await Deno.mkdir(join(dir, "out"));
    ok(await vc(["repo", "get", id, "--to", "out"], env), "get --to DIR");
    assertEquals(await Deno.readTextFile(join(dir, "out", "a.csv")), "a,b\n1,2\n");
    const noRepo = await vc(["repo", "ls"]);
    assertEquals(noRepo.code, 2);
    assertStringIncludes(noRepo.stderr, "VC_REPO");
    await Deno.remove(join(dir, "copy.csv"));
    const missing = await vc(["repo", "check"], { VC_REPO: `file://${join(dir, "nothing")}` });
    assertStringIncludes(missing.stderr, "not a vc repository");
  });
}

Deno.test("vc repo (process): SQLite repository workflow and bad input", () => workflow(undefined));

Deno.test({
  name: "vc repo (process): PostgreSQL repository workflow (needs PostgreSQL initdb, else ignored)",
  ignore: !havePostgres,
  fn: async () => {
    await using pg = await startPgServer();
    await workflow(pg.url);
  },
});

Deno.test("vc repo (process): an unreachable catalog and an s3 repository without one fail clearly", async () => {
  await withWorkspace(async (dir, vc) => {
    const port = closedPort();
    const down = await vc([
      "repo",
      "init",
      `file://${join(dir, "r")}`,
      "--catalog",
      `postgres://vc:secret@127.0.0.1:${port}/vc`,
    ]);
    assertEquals(down.code, 1);
    assertStringIncludes(
      down.stderr,
      `cannot reach PostgreSQL catalog postgres://vc@127.0.0.1:${port}/vc`,
    );
    assert(!down.stderr.includes("secret"), "the password is never printed");
    const s3 = await vc(["repo", "init", "s3://bucket/repo"]);
    assertEquals(s3.code, 1);
    assertStringIncludes(s3.stderr, "give a catalog");
  });
});

Deno.test("vc repo (process): restore --force refuses a snapshot of another repository", async () => {
  await withWorkspace(async (dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess);
    const a = { VC_REPO: `file://${join(dir, "a")}` };
    const b = { VC_REPO: `file://${join(dir, "b")}` };
    await Deno.writeTextFile(join(dir, "f.csv"), "x\n");
    ok(await vc(["repo", "init"], a), "init a");
    ok(await vc(["repo", "add", "/a.csv", "f.csv"], a), "add to a");
    ok(await vc(["repo", "init"], b), "init b");
    ok(await vc(["repo", "add", "/b.csv", "f.csv"], b), "add to b");
    const snapshot = ok(await vc(["repo", "backup"], b), "backup b").stdout.trim();
    const refused = await vc(["repo", "restore", snapshot, "--force"], a);
    assertEquals(refused.code, 1);
    assertStringIncludes(refused.stderr, "is a backup of another repository");
    assertStringIncludes(refused.stderr, "nothing was restored, even with --force");
    // A's records are as they were; its own snapshot still restores.
    const ls = JSON.parse(ok(await vc(["repo", "ls", "--json"], a), "ls a").stdout);
    assertEquals(ls.map((r: { path: string }) => r.path), ["/a.csv"]);
    const own = ok(await vc(["repo", "backup"], a), "backup a").stdout.trim();
    ok(await vc(["repo", "restore", own, "--force"], a), "restore a's own snapshot");
  });
});

Deno.test("vc repo (process): restore --force of an older snapshot says how many records it dropped", async () => {
  await withWorkspace(async (dir, process, inProcess) => {
    const vc = firstAsProcess(process, inProcess);
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    await Deno.writeTextFile(join(dir, "f.csv"), "x\n");
    ok(await vc(["repo", "init"], env), "init");
    ok(await vc(["repo", "add", "/a.csv", "f.csv"], env), "add a");
    const snapshot = ok(await vc(["repo", "backup"], env), "backup").stdout.trim();
    ok(await vc(["repo", "add", "/b.csv", "f.csv"], env), "add b");
    ok(await vc(["repo", "add", "/c.csv", "f.csv"], env), "add c");
    const text = ok(await vc(["repo", "restore", snapshot, "--force"], env), "restore");
    assertStringIncludes(
      text.stdout,
      "replaced 3 records of the catalog, 2 of them not in the snapshot (dropped)",
    );
    const json = JSON.parse(
      ok(await vc(["repo", "restore", snapshot, "--force", "--json"], env), "restore --json")
        .stdout,
    );
    assertEquals([json.records, json.replaced, json.dropped], [1, 1, 0]);
  });
});
