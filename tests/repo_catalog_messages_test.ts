/**
 * `vc repo` with wrong catalog URLs: each gets a clear error naming the
 * catalog, never the password, and never an "internal error".
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { CatalogUnavailableError } from "../src/repo/catalog.ts";
import { Repository } from "../src/repo/mod.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { redactPostgresUrl } from "../src/repo/postgres_catalog.ts";

const SECRET = "s3cretPW";

const CASES: [string, string, string][] = [
  // [catalog, what the message must say, why]
  [`postgres://vc:${SECRET}%zz@127.0.0.1:1/vc`, "password is not valid percent-encoding", "bad %"],
  [`mysql://vc:${SECRET}@db/vc`, "is not sqlite:PATH or postgres://", "unknown kind"],
  [`postgres://vc:${SECRET}/x@y@db:port/vc`, "invalid PostgreSQL URL", "unparsable, / and @ in it"],
  [`postgres://vc:${SECRET}@127.0.0.1:1/vc`, "cannot reach PostgreSQL catalog", "refused port"],
];

for (const [catalog, says, why] of CASES) {
  Deno.test(`repo init --catalog with a ${why}: clear error, no password`, async () => {
    await using ws = await CliWorkspace.create();
    for (const verbose of [[], ["--verbose"]]) {
      const r = await ws.run([
        "repo",
        "init",
        `${ws.bucket}/repo`,
        "--catalog",
        catalog,
        ...verbose,
      ]);
      // No catalog at all is the command line's fault (exit 2, naming
      // --catalog); a PostgreSQL URL that fails later is a failure.
      assertEquals(r.code, why === "unknown kind" ? 2 : 1, r.stderr);
      assertStringIncludes(r.stderr, says);
      assert(!r.stderr.includes("internal error"), r.stderr);
      assert(!(r.stderr + r.stdout).includes(SECRET), r.stderr);
    }
  });
}

Deno.test("repo init accepts the PostgreSQL scheme in any case", async () => {
  await using ws = await CliWorkspace.create();
  const r = await ws.run([
    "repo",
    "init",
    `${ws.bucket}/repo`,
    "--catalog",
    "POSTGRES://vc@127.0.0.1:1/vc",
  ]);
  assertEquals(r.code, 1);
  assertStringIncludes(r.stderr, "cannot reach PostgreSQL catalog");
});

Deno.test("redactPostgresUrl drops a password holding / and @ whole", () => {
  assertEquals(redactPostgresUrl("postgres://u:a/b@c@h:x/db"), "postgres://u@h:x/db");
});

Deno.test("a password written into the marker by hand is never printed", async () => {
  await using ws = await CliWorkspace.create();
  const repo = `${ws.bucket}/repo`;
  assertEquals((await ws.run(["repo", "init", repo])).code, 0);
  const file = ws.path("bucket/repo/.vc-repo.json");
  const marker = JSON.parse(await Deno.readTextFile(file));
  marker.catalog = { kind: "postgres", url: `postgres://vc:${SECRET}@127.0.0.1:1/vc` };
  await Deno.writeTextFile(file, JSON.stringify(marker));
  for (
    const args of [
      ["repo", "ls", "--repo", repo],
      ["repo", "ls", "--repo", repo, "--catalog", "postgres://vc@127.0.0.1:1/other"],
    ]
  ) {
    for (const verbose of [[], ["--verbose"]]) {
      const r = await ws.run([...args, ...verbose]);
      assertEquals(r.code, 1, r.stderr);
      assert(!(r.stderr + r.stdout).includes(SECRET), r.stderr);
      assert(!r.stderr.includes("internal error"), r.stderr);
    }
  }
});

Deno.test("a damaged SQLite catalog is named, with the way back (restore), not an internal error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_catalog_damaged_" });
  try {
    const uri = `file://${dir}/store`;
    const repo = await Repository.init(uri);
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    for (let i = 0; i < 50; i++) await repo.add(`/r/${i}.txt`, `${dir}/a.txt`);
    const location = repo.catalog.location;
    await repo.close();
    // Garbage over the second page: the header still reads, the tables do not.
    const file = await Deno.open(location.slice("sqlite:".length), { write: true });
    await file.seek(4096, Deno.SeekMode.Start);
    await file.write(new Uint8Array(512).fill(0xa5));
    file.close();
    const e = await assertRejects(async () => {
      const again = await Repository.open(uri);
      try {
        await again.list();
      } finally {
        await again.close();
      }
    }, CatalogUnavailableError);
    assertStringIncludes(e.message, `catalog ${location} is damaged`);
    assertStringIncludes(e.message, "`Repository.restore(URI, SNAPSHOT, { force: true })`");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a read of an empty SQLite catalog file says so and leaves the file empty", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_catalog_empty_" });
  try {
    const uri = `file://${dir}/store`;
    const repo = await Repository.init(uri);
    const location = repo.catalog.location;
    await repo.close();
    const path = location.slice("sqlite:".length);
    await Deno.writeFile(path, new Uint8Array());
    for (const suffix of ["-wal", "-shm"]) await Deno.remove(path + suffix).catch(() => {});
    const e = await assertRejects(() => Repository.open(uri), CatalogUnavailableError);
    assertStringIncludes(e.message, `SQLite catalog ${path} is an empty file`);
    assertEquals((await Deno.stat(path)).size, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
