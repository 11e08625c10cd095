/**
 * `vc serve expire` beside servers that keep a quota
 * (`--max-bytes-per-identity`): the entries it removes are taken off their
 * owners' usage, as a server's own sweep takes them off, so an identity whose
 * files all expired can upload again.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assertEquals } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";
import { sha256Hex } from "../src/hash.ts";
import { Entries } from "../src/server/entries.ts";
import { FsStore } from "../src/store/fs.ts";

Deno.test("serve expire: removed entries come off their owners' usage", async () => {
  await withWorkspace(async (dir, vc) => {
    const root = join(dir, "store");
    const id = "e".repeat(128);
    await Deno.mkdir(join(root, "meta"), { recursive: true });
    await Deno.mkdir(join(root, "data", id), { recursive: true });
    await Deno.mkdir(join(root, "usage"), { recursive: true });
    await Deno.writeTextFile(join(root, "data", id, "d1"), "old data");
    await Deno.writeTextFile(
      join(root, "meta", `${id}.json`),
      JSON.stringify({
        owner: "token-file:alice",
        filename: "old.txt",
        expiresAt: Date.now() - 1000,
        size: 8,
        dataKey: `data/${id}/d1`,
        etag: "x",
      }),
    );
    // As a server with a quota counted the upload.
    const usageFile = join(root, "usage", `${sha256Hex("token-file:alice")}.json`);
    await Deno.writeTextFile(usageFile, JSON.stringify({ owner: "token-file:alice", bytes: 8 }));
    // An identity no quota ever counted, whose entry expired too.
    const bobId = "b".repeat(128);
    await Deno.writeTextFile(
      join(root, "meta", `${bobId}.json`),
      JSON.stringify({
        owner: "token-file:bob",
        filename: "placeholder",
        expiresAt: Date.now() - 1000,
        size: 0,
      }),
    );
    const store = pathToFileURL(root).href;
    const out = ok(await vc(["serve", "expire", "--store", store, "--json"]), "expire");
    assertEquals(JSON.parse(out.stdout).removed, 2);
    const usage = JSON.parse(await Deno.readTextFile(usageFile));
    assertEquals(usage.bytes, 0, "alice stores nothing any more");
    // No usage object is made up for an identity that had none.
    const names = [];
    for await (const e of Deno.readDir(join(root, "usage"))) {
      if (!e.name.startsWith(".")) names.push(e.name);
    }
    assertEquals(names, [`${sha256Hex("token-file:alice")}.json`]);
  });
});

Deno.test("serve sweep: a removal another remover claimed (and died in) is finished and not counted again", async () => {
  const root = await Deno.makeTempDir();
  const store = new FsStore(root);
  try {
    const id = "c".repeat(128);
    // What a remover leaves when it dies after its claim: expired, size 0, removing.
    await store.put(
      `meta/${id}.json`,
      new TextEncoder().encode(JSON.stringify({
        owner: "token-file:alice",
        filename: "placeholder",
        expiresAt: Date.now() - 1000,
        size: 0,
        removing: true,
      })),
    );
    const result = await new Entries(store).sweep();
    assertEquals([result.scanned, result.removed], [1, 0]);
    assertEquals(await store.head(`meta/${id}.json`), undefined, "the claimed removal is finished");
  } finally {
    await store.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("serve expire: a directory store that does not exist fails naming it (a typo in --store), creating nothing", async () => {
  await withWorkspace(async (dir, vc) => {
    const missing = join(dir, "no-such-store");
    const out = await vc(["serve", "expire", "--store", pathToFileURL(missing).href]);
    assertEquals(out.code, 1, out.stderr);
    assertEquals(
      out.stderr.includes("does not exist") && out.stderr.includes(missing),
      true,
      out.stderr,
    );
    assertEquals(await Deno.stat(missing).then(() => true, () => false), false);
  });
});
