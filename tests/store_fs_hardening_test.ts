/**
 * FsStore behaviour from issue 7 (items 17, 18, 20) and issue 6 (the one
 * temp-name scheme): a put commits completely or not at all, listings hash
 * nothing when ETags are not needed and skip unreadable entries, and dead
 * writers' temp files are swept.
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { FsStore } from "../src/store/fs.ts";
import type { ListWarning, ObjectInfo } from "../src/store/types.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const FS_TS = new URL("../src/store/fs.ts", import.meta.url).href;
const ATOMIC_TS = new URL("../src/atomic_write.ts", import.meta.url).href;

async function tempRoot(): Promise<AsyncDisposable & { root: string; store: FsStore }> {
  const root = await Deno.makeTempDir({ prefix: "vc-fs-hard-" });
  return {
    root,
    store: new FsStore(root),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

async function list(
  store: FsStore,
  options: { etags?: boolean; onWarning?: (w: ListWarning) => void } = {},
): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = [];
  for await (const info of store.list("", options)) out.push(info);
  return out;
}

Deno.test("FsStore: a put whose sidecar cannot be written commits nothing (issue 7 item 17)", async () => {
  await using t = await tempRoot();
  // A directory where the sidecar goes makes its rename fail, like ENOSPC
  // would, but deterministically and as root too.
  await Deno.mkdir(join(t.root, ".vc~meta~k.json"));
  await assertRejects(() => t.store.put("k", enc.encode("data"), { ifNoneMatch: "*" }));
  assertEquals(await t.store.head("k"), undefined, "the failed put left no object behind");
  assertEquals(names(t.root), [".vc~meta~k.json"], "and no temp file either");
  // With the obstacle gone the same create-once put succeeds: nothing was half-committed.
  await Deno.remove(join(t.root, ".vc~meta~k.json"));
  const { etag } = await t.store.put("k", enc.encode("data"), { ifNoneMatch: "*" });
  assertEquals(etag, md5Hex("data"));
});

Deno.test("FsStore: a failed create-once put keeps the existing object's metadata", async () => {
  await using t = await tempRoot();
  await t.store.put("k", enc.encode("first"), { metadata: { owner: "a" }, contentType: "text/x" });
  // Simulate a lock broken as stale: the link is what refuses the second writer.
  await assertRejects(() => t.store.put("k", enc.encode("second"), { ifNoneMatch: "*" }));
  const info = await t.store.head("k");
  assertEquals(info?.metadata, { owner: "a" });
  assertEquals(info?.contentType, "text/x");
  assertEquals(info?.etag, md5Hex("first"));
});

Deno.test("FsStore: list({ etags: false }) reads no file contents (issue 7 item 18)", async () => {
  await using t = await tempRoot();
  await t.store.put("stored.txt", enc.encode("via the store"));
  await Deno.writeTextFile(join(t.root, "hand.txt"), "dropped in by hand");
  const cheap = await list(t.store, { etags: false });
  assertEquals(cheap.map((i) => [i.key, i.size, i.etag]), [
    ["hand.txt", 18, ""],
    ["stored.txt", 13, md5Hex("via the store")],
  ]);
  assertEquals(
    names(t.root),
    [".vc~meta~stored.txt.json", "hand.txt", "stored.txt"],
    "no sidecar was computed for the hand-made file",
  );
  // Asked for, the ETag is computed lazily, on head or a full listing.
  assertEquals((await t.store.head("hand.txt"))?.etag, md5Hex("dropped in by hand"));
  assertEquals((await list(t.store)).map((i) => i.etag), [
    md5Hex("dropped in by hand"),
    md5Hex("via the store"),
  ]);
});

Deno.test("FsStore: an unreadable file is skipped with a warning, not a failed listing (item 18)", async () => {
  await using t = await tempRoot();
  await t.store.put("a.txt", enc.encode("a"));
  await Deno.writeTextFile(join(t.root, "b-secret.bin"), "no access");
  await t.store.put("c.txt", enc.encode("c"));
  // The child may not read b-secret.bin: a real barrier, even for root.
  const code = `
    const { FsStore } = await import(${JSON.stringify(FS_TS)});
    const store = new FsStore(Deno.args[0]);
    const keys = [], warnings = [];
    for await (const i of store.list("", { onWarning: (w) => warnings.push(w.key) })) keys.push(i.key);
    console.log(JSON.stringify({ keys, warnings }));
  `;
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(script, code);
  // `deno eval` would grant every permission; `deno run` honours --deny-read.
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-lock",
      "--no-prompt",
      `--allow-read=${t.root},${script},${new URL("../src", import.meta.url).pathname}`,
      `--deny-read=${join(t.root, "b-secret.bin")}`,
      `--allow-write=${t.root}`,
      script,
      t.root,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output().finally(() => Deno.remove(script));
  assertEquals(out.code, 0, dec.decode(out.stderr));
  assertEquals(JSON.parse(dec.decode(out.stdout)), {
    keys: ["a.txt", "c.txt"],
    warnings: ["b-secret.bin"],
  });
});

Deno.test("FsStore: keys shaped like temp files are rejected; temp files are never listed", async () => {
  await using t = await tempRoot();
  const tempLike = `.x.csv.vc-tmp-${Deno.pid}-abcdefgh`;
  await assertRejects(() => t.store.put(tempLike, enc.encode("x")), InvalidInputError, tempLike);
  await assertRejects(() => t.store.put(`d/${tempLike}`, enc.encode("x")), InvalidInputError);
  // One of our own, live (its writer holds the lock, as a put does): hidden
  // from listings and left alone.
  await Deno.writeTextFile(join(t.root, tempLike), "in progress");
  using writer = await Deno.open(join(t.root, tempLike), { read: true, write: true });
  await writer.lock(true);
  await t.store.put("x.csv", enc.encode("x"));
  assertEquals((await list(t.store)).map((i) => i.key), ["x.csv"]);
  assert(names(t.root).includes(tempLike), "a live writer's temp file stays");
});

Deno.test("FsStore: a writer killed mid-put leaves a temp file that the next list or put sweeps (item 20)", async () => {
  await using t = await tempRoot();
  await Deno.mkdir(join(t.root, "d"));
  // The child opens a temp file the way a put does, then dies without cleanup.
  const code = `
    const { AtomicFile } = await import(${JSON.stringify(ATOMIC_TS)});
    const temp = AtomicFile.create(Deno.args[0] + "/d/k.bin");
    await temp.file.write(new Uint8Array(1000));
    Deno.exit(137);
  `;
  const child = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-lock", "-A", code, t.root],
    stderr: "piped",
  }).output();
  assertEquals(child.code, 137, dec.decode(child.stderr));
  const leftover = names(join(t.root, "d"));
  assertEquals(leftover.length, 1);
  assert(leftover[0]?.includes(".vc-tmp-"), leftover.join());

  assertEquals(await list(t.store), [], "the leftover is not an object");
  // Swept, and the directory it left empty with it (it held nothing else).
  await assertRejects(() => Deno.lstat(join(t.root, "d")), Deno.errors.NotFound);

  // The same on write: a fresh store's first put into the directory sweeps it.
  await Deno.mkdir(join(t.root, "d"));
  const again = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-lock", "-A", code, t.root],
  }).output();
  assertEquals(again.code, 137);
  assertEquals(names(join(t.root, "d")).length, 1);
  await new FsStore(t.root).put("d/other", enc.encode("o"));
  assertEquals(names(join(t.root, "d")), [".vc~meta~other.json", "other"]);
});

Deno.test("FsStore: temp files of older vc versions (.vc~tmp~*) are swept once a day old", async () => {
  await using t = await tempRoot();
  await Deno.writeTextFile(join(t.root, ".vc~tmp~0123abcd"), "old partial upload");
  await Deno.writeTextFile(join(t.root, ".vc~tmp~4567ef01"), "maybe still being written");
  const old = new Date(Date.now() - 25 * 3600_000);
  await Deno.utime(join(t.root, ".vc~tmp~0123abcd"), old, old);
  assertEquals(await list(t.store), []);
  assertEquals(names(t.root), [".vc~tmp~4567ef01"]);
});

Deno.test("FsStore: a put under a root that a file stands in for is an error naming the root", async () => {
  await using t = await tempRoot();
  const file = join(t.root, "file");
  await Deno.writeTextFile(file, "kept");
  // The root is the file itself, or a directory below it.
  for (const root of [file, join(file, "sub")]) {
    const error = await assertRejects(
      () => new FsStore(root).put("x.gz", enc.encode("x")),
      InvalidInputError,
    );
    assert(error.message.includes(`store root ${root} is not a directory`), error.message);
  }
  assertEquals(await Deno.readTextFile(file), "kept");
});
