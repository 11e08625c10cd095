/**
 * Offline, a copy whose record line is damaged (bit rot, a hand edit, a
 * line of another vc version) cannot be served: nothing is left to check its
 * bytes against. The error said the path held "a file with no record for
 * it", which sent users looking for a record that was there: it now says the
 * record in the journal cannot be read, naming the journal, and how to get
 * the copy back (download it again, online).
 */
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { OfflineError } from "../src/errors.ts";
import { FaultStore, randomBytes } from "./fixtures/fault_store.ts";
import { join } from "node:path";

/** The journal holding `name`'s record, found under `dir`. */
async function journalOf(dir: string, name: string): Promise<string> {
  const stack = [dir];
  for (let i = 0; i < 1000 && stack.length > 0; i++) {
    const d = stack.pop()!;
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) stack.push(p);
      else if (e.name.endsWith(".jsonl") && (await Deno.readTextFile(p)).includes(`${name}\t`)) {
        return p;
      }
    }
  }
  throw new Error(`no journal under ${dir} holds ${name}`);
}

Deno.test("cache() offline: a copy whose record is damaged is named as such, not as having no record", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-offline-damaged-record-" });
  const store = new FaultStore("s3://bucket");
  const open = (offline: boolean) =>
    new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      offline,
      openStore: () => Promise.resolve(store),
      warn: () => {},
    });
  try {
    store.set("d/x.bin", randomBytes(100));
    let path: string;
    {
      await using cache = open(false);
      path = await cache.cache("s3://bucket/d/x.bin");
    }
    const journal = await journalOf(join(dir, "cache"), "x.bin");
    const text = await Deno.readTextFile(journal);
    await Deno.writeTextFile(journal, text.replace('{"v":1,', '{"v":1,,'));
    await using offline = open(true);
    const e = await assertRejects(() => offline.cache("s3://bucket/d/x.bin"), OfflineError);
    assert(!e.message.includes("no record for it"), e.message);
    assertStringIncludes(e.message, `whose record in ${journal} cannot be read`);
    assertStringIncludes(e.message, path);
    assertStringIncludes(e.message, "to download it");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
