/**
 * Reading a user's own file through a `file://` URI leaves its directory as
 * it was: no `.vc~meta~` sidecar, no lock file (FsStore's
 * `sidecars: "read-only"`). Directories vc manages (a bucket it publishes
 * to, a repository's store) still get their sidecars on put.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { Repository } from "../src/repo/mod.ts";
import { FsStore } from "../src/store/fs.ts";
import { SETTLE_MS } from "../src/store/fs_validator.ts";
import { openStore } from "../src/store/open.ts";

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("FsStore sidecars read-only: reads write nothing, a valid sidecar is still used", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_ro_sidecar_" });
  try {
    await Deno.writeTextFile(join(dir, "hand.txt"), "hello\n");
    const ro = new FsStore(dir, { sidecars: "read-only" });
    assertEquals((await ro.head("hand.txt"))?.etag, "b1946ac92492d2347c6235b4d2611184");
    await new Response((await ro.get("hand.txt")).body).arrayBuffer();
    for await (const _ of ro.list("")) { /* hashes, writes nothing */ }
    assertEquals(await names(dir), ["hand.txt"]);
    // A vc-written object keeps its sidecar, and a read-only store uses it.
    const rw = new FsStore(dir);
    await rw.put("put.txt", new TextEncoder().encode("x"), { metadata: { owner: "me" } });
    assertEquals(await names(dir), [".vc~meta~put.txt.json", "hand.txt", "put.txt"]);
    assertEquals((await ro.head("put.txt"))?.metadata, { owner: "me" });
    // The default store still repairs a missing sidecar on read, once the
    // file has settled (a state within a tick of a write is not remembered).
    await new Promise((r) => setTimeout(r, SETTLE_MS + 1200));
    await rw.head("hand.txt");
    assert((await names(dir)).includes(".vc~meta~hand.txt.json"));
    assertEquals(
      (await openStore(pathToFileURL(dir).href, { file: { sidecars: "read-only" } })).url,
      ro.url,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache() of a file:// URI leaves the source directory as it was", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_ro_cache_" });
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "a.txt"), "hello\n");
    const uri = pathToFileURL(join(dir, "src", "a.txt")).href;
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    assertEquals(await Deno.readTextFile(await cache.cache(uri)), "hello\n");
    // Revalidated (timeout 0) and after a change: still nothing beside it.
    await using again = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      timeout: 0,
    });
    await again.cache(uri);
    await Deno.writeTextFile(join(dir, "src", "a.txt"), "changed\n");
    assertEquals(await Deno.readTextFile(await again.cache(uri)), "changed\n");
    assertEquals(await names(join(dir, "src")), ["a.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc cache get and vc prefill of file:// items leave the source directory as it was", async () => {
  await using ws = await CliWorkspace.create();
  const a = await ws.write("src/a.txt", "hello\n");
  await ws.write("src/b.txt", "b\n");
  const get = await ws.run(["cache", "get", pathToFileURL(a).href]);
  assertEquals(get.code, 0, get.stderr);
  await ws.write("list.txt", `${pathToFileURL(ws.path("src/b.txt")).href}\n`);
  const prefill = await ws.run(["prefill", "--list", "list.txt"]);
  assertEquals(prefill.code, 0, prefill.stderr);
  assertEquals(await names(ws.path("src")), ["a.txt", "b.txt"]);
  // A vc-managed file:// bucket still gets its sidecars when vc publishes to it.
  const add = await ws.vc("add", "/c.txt", "src/a.txt");
  assertEquals(add.code, 0, add.stderr);
  assert((await names(ws.bucketDir)).some((n) => n.startsWith(".vc~meta~")));
});

Deno.test("vc repo restore FILE leaves the backup file's directory as it was", async () => {
  await using ws = await CliWorkspace.create();
  const repoUri = pathToFileURL(ws.path("repo")).href;
  {
    await using repo = await Repository.init(repoUri);
    await repo.add("/a.txt", new TextEncoder().encode("a"));
    const { uri } = await repo.backup();
    await Deno.mkdir(ws.path("mine"));
    // The user's own copy of a backup, as `cp` or a download leaves it.
    await Deno.copyFile(new URL(uri), ws.path("mine/backup.jsonl.gz"));
  }
  const env = { VC_REPO: repoUri };
  const backup = ws.path("mine/backup.jsonl.gz");
  const refused = await ws.run(["repo", "restore", backup], env);
  assertEquals(refused.code, 1, refused.stderr);
  assert(refused.stderr.includes("--force"), refused.stderr);
  const forced = await ws.run(["repo", "restore", backup, "--force"], env);
  assertEquals(forced.code, 0, forced.stderr);
  // Through the CLI's own store opener (`--request-timeout`) as well.
  const timed = await ws.run(
    ["repo", "restore", backup, "--force", "--request-timeout", "30"],
    env,
  );
  assertEquals(timed.code, 0, timed.stderr);
  assertEquals(await names(ws.path("mine")), ["backup.jsonl.gz"]);
});

Deno.test("a backup written to a local path is only its file; a read-only store puts no sidecar", async () => {
  await using ws = await CliWorkspace.create();
  const repoUri = pathToFileURL(ws.path("repo")).href;
  await Deno.mkdir(ws.path("mine"));
  {
    await using repo = await Repository.init(repoUri);
    await repo.add("/a.txt", new TextEncoder().encode("a"));
    // Before: a `.vc~meta~backup.jsonl.gz.json` beside it.
    await repo.backup(ws.path("mine/backup.jsonl.gz"));
  }
  const cli = await ws.run(["repo", "backup", ws.path("mine/cli.jsonl.gz")], { VC_REPO: repoUri });
  assertEquals(cli.code, 0, cli.stderr);
  assertEquals(await names(ws.path("mine")), ["backup.jsonl.gz", "cli.jsonl.gz"]);
  // And it restores.
  assertEquals(
    (await Repository.restore(repoUri, ws.path("mine/backup.jsonl.gz"), { force: true })).records,
    1,
  );
  // The store itself: a put keeps no sidecar, and refuses metadata it could not keep.
  const ro = new FsStore(ws.path("mine"), { sidecars: "read-only" });
  await ro.put("x.bin", new Uint8Array([1]), { contentType: "application/x-thing" });
  assertEquals((await ro.head("x.bin"))?.size, 1);
  await assertRejects(
    () => ro.put("y.bin", new Uint8Array([1]), { metadata: { who: "me" } }),
    InvalidInputError,
    "keeps no metadata",
  );
  assertEquals(await names(ws.path("mine")), ["backup.jsonl.gz", "cli.jsonl.gz", "x.bin"]);
});
