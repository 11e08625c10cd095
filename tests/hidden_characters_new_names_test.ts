/**
 * Names that list as other names: a zero-width space, a word joiner or a
 * byte order mark (draw as nothing), a bidirectional control (`a\u202egnp.csv`
 * shows as `acsv.png`), a noncharacter (U+FFFE, U+FFFF), whitespace at
 * either end (no listing shows it). Every place that records a new name (a repository's path, tag and
 * claim holder, a manifest's path, a cache service's upload filename)
 * refuses one through one check (`newNameProblem` in `file_names.ts`), naming
 * the code point and its index. Names recorded before are still listed and
 * fetched, escaped; names vc only reads (a mirror's files, a cache's keys)
 * are taken and printed escaped.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { assertFailure, CliWorkspace } from "./cli_harness.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { newNameProblem } from "../src/file_names.ts";
import { hiddenCharacter, printable } from "../src/printable.ts";
import { Repository } from "../src/repo/mod.ts";
import { VersionedCache } from "../src/versioned/mod.ts";
import { newCacheId, startService, upload } from "./server_helpers.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

// Each name, and what the refusal says about it.
const HOSTILE: ReadonlyArray<readonly [string, string]> = [
  ["/a\u202egnp.csv", "U+202E RIGHT-TO-LEFT OVERRIDE at index 2"],
  ["/b\u200b.csv", "U+200B ZERO WIDTH SPACE at index 2"],
  ["/c\u2060.csv", "U+2060 WORD JOINER at index 2"],
  ["/\ufeffd.csv", "U+FEFF ZERO WIDTH NO-BREAK SPACE (byte order mark) at index 1"],
  ["/e\u2067.csv", "U+2067 RIGHT-TO-LEFT ISOLATE at index 2"],
  ["/f\uffff.csv", "U+FFFF (a noncharacter) at index 2"],
  ["/g\ufffe.csv", "U+FFFE (a noncharacter) at index 2"],
  ["/x/j.csv ", "ends with whitespace (U+0020)"],
  ["/x/k.csv\u3000", "ends with whitespace (U+3000)"],
];

Deno.test("newNameProblem: names the code point and its index; shaping characters pass", () => {
  for (const [name, said] of HOSTILE) {
    const problem = newNameProblem(name);
    assert(problem?.includes(said), `${printable(name)}: ${problem}`);
  }
  // The index counts characters: an emoji before it is one.
  assertEquals(hiddenCharacter("\u{1f600}\u200b"), "U+200B ZERO WIDTH SPACE at index 1");
  assertEquals(hiddenCharacter("a\udc00"), "U+DC00 (a lone UTF-16 surrogate) at index 1");
  for (
    const name of [
      "/caf\u00e9.csv",
      "/\u0645\u06cc\u200c\u062e.csv", // Persian, with its zero-width non-joiner
      "/\u{1f468}\u200d\u{1f469}.csv", // a family: emoji joined by ZWJ
      "/\u2764\ufe0f.csv", // ❤️ with its variation selector
      "/\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}.csv", // Scotland's flag
      "/dir./notes.", // shows as itself; Windows' rule is checked where Windows writes it
    ]
  ) {
    assertEquals(newNameProblem(name), undefined, printable(name));
  }
  // Prints escaped too: a noncharacter no longer prints as itself.
  assertEquals(printable("f\uffff.csv"), "f\\uffff.csv");
});

Deno.test("Repository: add, tag and claim refuse a name that lists as another; old ones still read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_hidden_names_repo_" });
  try {
    const uri = pathToFileURL(join(dir, "store")).href;
    const repo = await Repository.init(uri);
    try {
      for (const [path, said] of HOSTILE) {
        const e = await assertRejects(() => repo.add(path, bytes("x\n")), InvalidInputError);
        assert(e.message.includes(said), e.message);
        assert(e.message.startsWith("logical path "), e.message);
      }
      // Nothing was uploaded for them.
      assertEquals(await repo.list(), []);
      const r = await repo.add("/ok.csv", bytes("x\n"));
      const tag = await assertRejects(
        () => repo.tag({ id: r.id }, ["raw\uffff"]),
        InvalidInputError,
      );
      assert(tag.message.includes("U+FFFF (a noncharacter) at index 3"), tag.message);
      // A path no record has yet is a new name too.
      const pathTag = await assertRejects(
        () => repo.tag({ path: "/new\u200b.csv" }, ["done"]),
        InvalidInputError,
      );
      assert(pathTag.message.includes("U+200B ZERO WIDTH SPACE at index 4"), pathTag.message);
      await repo.publish(r.id);
      const claim = await assertRejects(
        () => repo.claim({ ttlMs: 60_000, holder: "worker\u202e1" }),
        InvalidInputError,
      );
      assert(claim.message.includes("U+202E RIGHT-TO-LEFT OVERRIDE at index 6"), claim.message);
      assertEquals((await repo.get(r.id)).claimedBy, null);
    } finally {
      await repo.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc repo: add and claim refuse such a name; a record that already has one lists escaped", async () => {
  await using ws = await CliWorkspace.create();
  const uri = pathToFileURL(ws.path("store")).href;
  const env = { VC_REPO: uri };
  await ws.write("f.csv", "x\n");
  assertEquals((await ws.run(["repo", "init"], env)).code, 0);
  const added = await ws.run(["repo", "add", "/a\u202egnp.csv", "f.csv"], env);
  assertFailure(added, 1, 'logical path "/a\\u202egnp.csv"', "U+202E RIGHT-TO-LEFT OVERRIDE");
  assertEquals(added.stdout, "");
  const spaced = await ws.run(["repo", "add", "/a.csv ", "f.csv"], env);
  assertFailure(spaced, 1, 'logical path "/a.csv " ends with whitespace (U+0020)');

  // A catalog from before this check (or another tool's) holds such paths.
  const ids: number[] = [];
  for (const path of ["/one.csv", "/two.csv"]) {
    const id = (await ws.run(["repo", "add", path, "f.csv"], env)).stdout.trim();
    assertEquals((await ws.run(["repo", "publish", id], env)).code, 0);
    ids.push(Number(id));
  }
  const db = new DatabaseSync(ws.path("store/.vc~repo.sqlite"));
  try {
    db.prepare("UPDATE records SET path = ? WHERE id = ?").run("/a\u202egnp.csv", ids[0]!);
    db.prepare("UPDATE records SET path = ? WHERE id = ?").run("/b\uffff.csv", ids[1]!);
  } finally {
    db.close();
  }
  const ls = await ws.run(["repo", "ls"], env);
  assertEquals(ls.code, 0, ls.stderr);
  assert(ls.stdout.includes("/a\\u202egnp.csv"), ls.stdout);
  assert(ls.stdout.includes("/b\\uffff.csv"), ls.stdout);
  assert(!/[\u202e\uffff]/.test(ls.stdout), ls.stdout);
  for (const [i, path] of ["/a\u202egnp.csv", "/b\uffff.csv"].entries()) {
    const current = await ws.run(["repo", "current", path, "--json"], env);
    assertEquals(current.code, 0, current.stderr);
    assertEquals(current.json<{ id: number; path: string }>().path, path);
    assertEquals(current.json<{ id: number }>().id, ids[i]);
    const got = await ws.run(["repo", "get", String(ids[i]), "--to", `out${i}.csv`], env);
    assertEquals(got.code, 0, got.stderr);
    assertEquals(await ws.read(`out${i}.csv`), "x\n");
  }
  // Its path can still be tagged, and found by the tag.
  const tagged = await ws.run(["repo", "tag", "/a\u202egnp.csv", "done"], env);
  assertEquals(tagged.code, 0, tagged.stderr);
  const found = await ws.run(["repo", "find", "--any", "done", "--json"], env);
  assertEquals(found.json<{ id: number }[]>().map((r) => r.id), [ids[0]]);
  const untouched = await ws.run(["repo", "tag", "/new\u2066.csv", "done"], env);
  assertFailure(untouched, 1, "U+2066 LEFT-TO-RIGHT ISOLATE at index 4");
  const claim = await ws.run(["repo", "claim", "--ttl", "5m", "--holder", "me\u200b"], env);
  assertFailure(claim, 2, "U+200B ZERO WIDTH SPACE at index 2");
});

Deno.test("VersionedCache.add and vc add refuse such a path; a manifest that pins one still reads", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("f.csv", "x\n");
  const manifest = ws.path("m.json");
  const env = { VC_BUCKET: ws.bucket, VC_MANIFEST: manifest };
  await using cache = new AssetCache({ cacheDir: ws.cacheDir, configPath: false });
  const vc = new VersionedCache({ manifest, bucket: ws.bucket, cache });
  try {
    for (const [path, said] of HOSTILE) {
      const e = await assertRejects(() => vc.add(path, ws.path("f.csv")), InvalidInputError);
      // A path ending with whitespace was refused before, in its own words.
      const before = /\s$/u.test(path) ? "it starts or ends with whitespace" : said;
      assert(e.message.includes(before), e.message);
    }
  } finally {
    await vc.close();
  }
  const added = await ws.run(["add", "/b\u200b.csv", "f.csv"], env);
  assertFailure(added, 1, 'invalid versioned path "/b\\u200b.csv"', "U+200B ZERO WIDTH SPACE");
  assertEquals([...Deno.readDirSync(ws.bucketDir)], []);

  // Pinned before this check: the objects and the manifest exist.
  await ws.write("bucket/a\u202egnp.1.0.0.csv", "a\n");
  await ws.write("bucket/c\uffff.1.0.0.csv", "c\n");
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({ "/a\u202egnp.csv": "1.0.0", "/c\uffff.csv": "1.0.0" }, null, 4) + "\n",
  );
  const ls = await ws.run(["ls"], env);
  assertEquals(ls.code, 0, ls.stderr);
  assert(ls.stdout.includes("/a\\u202egnp.csv"), ls.stdout);
  assert(ls.stdout.includes("/c\\uffff.csv"), ls.stdout);
  assert(!/[\u202e\uffff]/.test(ls.stdout), ls.stdout);
  for (const [path, text] of [["/a\u202egnp.csv", "a\n"], ["/c\uffff.csv", "c\n"]]) {
    const cat = await ws.run(["cat", path!], env);
    assertEquals(cat.code, 0, cat.stderr);
    assertEquals(cat.stdout, text);
  }
});

Deno.test("vc serve: an upload filename with an invisible character or a noncharacter is refused", async () => {
  await using t = await startService();
  const { alice } = t.tokens;
  const id = (await newCacheId(t.url, alice, { q: 1 })).doc.cache_id as string;
  for (
    const [name, said] of [
      ["a\u200b.csv", "U+200B ZERO WIDTH SPACE at index 1"],
      ["\ufeffout.csv", "U+FEFF ZERO WIDTH NO-BREAK SPACE (byte order mark) at index 0"],
      ["out\uffff.csv", "U+FFFF (a noncharacter) at index 3"],
    ]
  ) {
    const res = await upload(t.url, alice, id, "x\n", name);
    assertEquals(res.status, 400, JSON.stringify(res.doc));
    const message = JSON.stringify(res.doc);
    assert(message.includes(said!), message);
  }
  // An ordinary name, and one with an emoji joiner, are stored.
  const ok = await upload(t.url, alice, id, "x\n", "\u{1f468}\u200d\u{1f469}.csv");
  assertEquals(ok.status, 200, JSON.stringify(ok.doc));
});

Deno.test("vc mirror and the asset cache take such names and print them escaped", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("src/a\uffff.csv", "a\n");
  await ws.write("src/b\u200b.csv", "b\n");
  const mirrored = await ws.run(["mirror", ws.path("src"), `${ws.bucket}/m`]);
  assertEquals(mirrored.code, 0, mirrored.stderr);
  assert(!/[\uffff\u200b]/.test(mirrored.stdout + mirrored.stderr), mirrored.stdout);
  const keys = [...Deno.readDirSync(ws.path("bucket/m"))].map((e) => e.name)
    .filter((name) => !name.startsWith(".vc~")).sort();
  assertEquals(keys, ["a\uffff.csv", "b\u200b.csv"]);
  const got = await ws.run(["cache", "get", `${ws.bucket}/m/a\uffff.csv`]);
  assertEquals(got.code, 0, got.stderr);
  assert(!got.stdout.includes("\uffff"), got.stdout);
  assertEquals(await Deno.readTextFile(got.stdout.trim()), "a\n");
});
