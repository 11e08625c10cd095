/**
 * A lookup of a path or tag the repository holds in another Unicode
 * spelling (`/café` typed composed, NFC, where the record was added from a
 * macOS file name, decomposed, NFD; or the other way round) found nothing
 * and said only `no published record of /café`, `nothing to claim`, or
 * `not tagged 1: café`: the name it printed looked exactly like the one
 * `vc repo ls` shows, so the miss read as a bug. Lookups still compare as
 * written (see repo_unicode_spelling_test.ts), but a miss now names the
 * spelling the repository holds, as the versioned cache's miss does
 * (cache_miss_unicode_spelling_test.ts); a plain miss stays as it was.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { Repository } from "../src/repo/repository.ts";
import { pgCases } from "./pg_server.ts";

const nfc = "/caf\u00e9.txt";
const nfd = "/cafe\u0301.txt";

async function repoWithCafe(ws: CliWorkspace, env: Record<string, string>): Promise<string> {
  await ws.write("f.txt", "menu\n");
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  const added = await ws.run(["repo", "add", nfc, "f.txt", "--tag", "cr\u00e8me"], env);
  assertEquals(added.code, 0, added.stderr);
  const id = added.stdout.trim();
  assertEquals((await ws.run(["repo", "publish", id], env)).code, 0);
  return id;
}

Deno.test("repo current of a path's other Unicode spelling names the one held", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: `${ws.bucket}/repo` };
  await repoWithCafe(ws, env);
  assertFailure(
    await ws.run(["repo", "current", nfd], env),
    1,
    'no published record of "/cafe\\u0301.txt"',
    'the repository holds the path "/caf\\u00e9.txt"',
    "NFC vs NFD",
  );
  // The other way round, and in JSON mode too (stdout stays null).
  const json = await ws.run(["repo", "current", nfd, "--json"], env);
  assertEquals(json.stdout.trim(), "null");
  assertStringIncludes(json.stderr, '"/caf\\u00e9.txt"');
  // A plain miss says only that.
  const plain = await ws.run(["repo", "current", "/other.txt"], env);
  assertFailure(plain, 1, "no published record of /other.txt");
  assertEquals(plain.stderr.includes("Unicode"), false, plain.stderr);
});

Deno.test("repo claim, untag and tag of another Unicode spelling name the one held", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: `${ws.bucket}/repo` };
  const id = await repoWithCafe(ws, env);
  const byPath = await ws.run(["repo", "claim", "--ttl", "1m", "--path", nfd], env);
  assertEquals(byPath.code, 0, byPath.stderr);
  assertStringIncludes(byPath.stderr, "nothing to claim");
  assertStringIncludes(byPath.stderr, 'the repository holds the path "/caf\\u00e9.txt"');
  const byTag = await ws.run(["repo", "claim", "--ttl", "1m", "--tag", "cre\u0300me"], env);
  assertStringIncludes(byTag.stderr, "nothing to claim");
  assertStringIncludes(byTag.stderr, 'the repository holds the tag "cr\\u00e8me"');

  const untag = await ws.run(["repo", "untag", id, "cre\u0300me"], env);
  assertEquals(untag.code, 0, untag.stderr);
  assertStringIncludes(untag.stdout, "not tagged");
  assertStringIncludes(untag.stdout, 'the repository holds the tag "cr\\u00e8me"');
  const onPath = await ws.run(["repo", "untag", nfd, "x"], env);
  assertStringIncludes(onPath.stdout, 'the repository holds the path "/caf\\u00e9.txt"');
  // Still found by the spelling it names.
  const claimed = await ws.run(["repo", "claim", "--ttl", "1m", "--path", nfc, "--json"], env);
  assertEquals(claimed.json<{ record: { id: number } }>().record.id, Number(id));
});

Deno.test("repo ls and find of another Unicode spelling name the one held", async () => {
  // `ls --path`, `ls --tag` and `find` listed nothing (or, for `--exclude`,
  // excluded nothing) and said nothing: an `--exclude cr\u00e8me` typed in
  // the other spelling handed out the very records it was meant to leave.
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: `${ws.bucket}/repo` };
  await repoWithCafe(ws, env);
  const held = (kind: string, name: string) => `the repository holds the ${kind} "${name}"`;
  for (
    const [args, note] of [
      [["repo", "ls", "--path", nfd], held("path", "/caf\\u00e9.txt")],
      [["repo", "ls", "--tag", "cre\u0300me"], held("tag", "cr\\u00e8me")],
      [["repo", "find", "--any", "cre\u0300me"], held("tag", "cr\\u00e8me")],
      [["repo", "find", "--all", "x,cre\u0300me"], held("tag", "cr\\u00e8me")],
    ] as const
  ) {
    for (const mode of [[], ["--json"]]) {
      const out = await ws.run([...args, ...mode], env);
      assertEquals(out.code, 0, out.stderr);
      assertStringIncludes(out.stderr, note, `${args.join(" ")} ${mode.join(" ")}`);
    }
  }
  // An exclude in the other spelling excludes nothing: the record is listed, and why is said.
  const excluded = await ws.run(
    ["repo", "find", "--any", "cr\u00e8me", "--exclude", "cre\u0300me", "--json"],
    env,
  );
  assertEquals(excluded.json<unknown[]>().length, 1);
  assertStringIncludes(excluded.stderr, held("tag", "cr\\u00e8me"));
  // A name in ASCII has twins too: the Kelvin sign's K.
  assertEquals((await ws.run(["repo", "tag", "/\u212a", "x"], env)).code, 0);
  const kelvin = await ws.run(["repo", "ls", "--path", "/K"], env);
  assertStringIncludes(kelvin.stderr, held("path", "/\\u212a"));
  // Names held as given, or not at all, say nothing more.
  for (
    const args of [
      ["repo", "ls", "--path", nfc, "--tag", "cr\u00e8me"],
      ["repo", "find", "--any", "cr\u00e8me,other", "--exclude", "done"],
    ]
  ) {
    const out = await ws.run(args, env);
    assertEquals(out.code, 0, out.stderr);
    assertEquals(out.stderr.includes("Unicode"), false, out.stderr);
  }
});

Deno.test("Repository.heldSpelling names the spelling held, none for a name held as given", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_REPO: `${ws.bucket}/repo` };
  await repoWithCafe(ws, env);
  await using repo = await Repository.open(`${ws.bucket}/repo`);
  assertEquals(await repo.heldSpelling({ path: nfd }), nfc);
  assertEquals(await repo.heldSpelling({ path: nfc }), undefined);
  assertEquals(await repo.heldSpelling({ path: "/other.txt" }), undefined);
  assertEquals(await repo.heldSpelling({ tag: "cre\u0300me" }), "cr\u00e8me");
  assertEquals(await repo.heldSpelling({ tag: "\u212a" }), undefined);
});

pgCases("Repository.heldSpelling on a PostgreSQL catalog", [
  ["names the spelling held of a path and of a tag", async (url) => {
    const dir = await Deno.makeTempDir({ prefix: "vc_held_spelling_" });
    try {
      await using repo = await Repository.init(`file://${dir}/repo`, { catalog: url, host: "h" });
      await repo.add(nfd, new TextEncoder().encode("a"), { tags: ["cre\u0300me"] });
      await repo.tag({ path: "/\u212a" }, ["x"]);
      assertEquals(await repo.heldSpelling({ path: nfc }), nfd);
      assertEquals(await repo.heldSpelling({ path: nfd }), undefined);
      assertEquals(await repo.heldSpelling({ path: "/K" }), "/\u212a");
      assertEquals(await repo.heldSpelling({ tag: "cr\u00e8me" }), "cre\u0300me");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }],
]);
