/**
 * A catalog edited by hand (a shared PostgreSQL catalog another user writes,
 * a SQLite file from elsewhere) may hold a record whose content_key climbs
 * out of a directory store (`content/../../x`). `download` and `contentUri`
 * refuse it, naming the record, instead of resolving the `..` segments
 * away in a `file://` URI and reading (and caching) a file outside the store.
 * `vc repo get ID --to DIR` refuses a record whose path ends in `..` rather
 * than writing to DIR's parent.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DatabaseSync } from "node:sqlite";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { IntegrityError } from "../src/errors.ts";
import { Repository } from "../src/repo/mod.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("repo download refuses a content_key that climbs out of the store", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_content_key_" });
  try {
    const secret = join(dir, "secret.txt");
    await Deno.writeTextFile(secret, "not the repository's\n");
    const uri = pathToFileURL(join(dir, "store")).href;
    const init = await Repository.init(uri);
    const r = await init.add("/a.csv", new TextEncoder().encode("a\n"));
    await init.close();
    const db = new DatabaseSync(join(dir, "store", ".vc~repo.sqlite"));
    try {
      db.prepare("UPDATE records SET content_key = ? WHERE id = ?")
        .run("content/../../secret.txt", r.id);
    } finally {
      db.close();
    }
    await using cache = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await using repo = await Repository.open(uri, { cache });
    const e = await assertRejects(() => repo.download(r.id), IntegrityError);
    assert(e.message.includes(`record ${r.id}`), e.message);
    assert(e.message.includes("content/../../secret.txt"), e.message);
    await assertRejects(() => repo.contentUri(r.id), IntegrityError);
    // Nothing of the file outside the store reached the cache.
    const cached: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for await (const x of Deno.readDir(d)) {
        if (x.isDirectory) await walk(join(d, x.name));
        else cached.push(join(d, x.name));
      }
    };
    await walk(join(dir, "cache")).catch(() => {});
    assertEquals(cached.filter((p) => p.includes("secret")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("vc repo get --to DIR/ refuses a record path ending in ..", async () => {
  await using ws = await CliWorkspace.create();
  const uri = pathToFileURL(ws.path("store")).href;
  const init = await Repository.init(uri);
  const r = await init.add("/raw/a.csv", new TextEncoder().encode("a\n"));
  await init.close();
  const db = new DatabaseSync(ws.path("store/.vc~repo.sqlite"));
  try {
    db.prepare("UPDATE records SET path = ? WHERE id = ?").run("/raw/..", r.id);
  } finally {
    db.close();
  }
  await Deno.mkdir(ws.path("out/sub"), { recursive: true });
  const res = await ws.run(["repo", "get", String(r.id), "--repo", uri, "--to", "out/sub/"]);
  assertEquals(res.code, 1, res.stderr);
  assert(res.stderr.includes(`record ${r.id} (/raw/..)`), res.stderr);
  assert(res.stderr.includes('".."'), res.stderr);
});
