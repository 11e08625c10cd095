import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { AccessDeniedError, InvalidInputError, NotFoundError, StoreError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { printable, quoted } from "../src/printable.ts";
import { FsStore } from "../src/store/fs.ts";
import { SETTLE_MS } from "../src/store/fs_validator.ts";
import { acquireLock } from "../src/store/fs_lock.ts";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { listKeys, storeContract } from "../src/testing/store_contract.ts";

storeContract("FsStore", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-fs-contract-" });
  const store = new FsStore(dir);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}, { nestedObjectKeys: false });

const enc = new TextEncoder();
const dec = new TextDecoder();
const FS_TS = new URL("../src/store/fs.ts", import.meta.url).href;

/** A temp dir with an (initially missing) store root inside it, removed afterwards. */
async function tempRoot(): Promise<
  AsyncDisposable & { base: string; root: string; store: FsStore }
> {
  const base = await Deno.makeTempDir({ prefix: "vc-fs-" });
  const root = join(base, "root");
  return {
    base,
    root,
    store: new FsStore(root),
    [Symbol.asyncDispose]: () => Deno.remove(base, { recursive: true }),
  };
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return names.sort();
}

async function readText(store: FsStore, key: string): Promise<string> {
  const { body } = await store.get(key);
  return await new Response(body).text();
}

Deno.test("FsStore: url is the root's file URI; a missing root is an empty store", async () => {
  await using t = await tempRoot();
  assertEquals(t.store.url, pathToFileURL(t.root).href);
  assertEquals(t.store.root, t.root);
  assertEquals(await listKeys(t.store, ""), []);
  assertEquals(await t.store.head("x"), undefined);
  await assertRejects(() => t.store.get("x"), NotFoundError, t.store.url);
  await t.store.delete(["x"]);
  assertEquals(await listDir(t.base), [], "reads and deletes do not create the root");
  await t.store.put("x", enc.encode("1"));
  assertEquals(await listDir(t.base), ["root"]);
});

Deno.test("FsStore: keys are plain files under the root, metadata in a hidden sidecar", async () => {
  await using t = await tempRoot();
  await t.store.put("a/b/c.csv", enc.encode("x,y\n"), {
    metadata: { Owner: "me" },
    contentType: "text/csv",
  });
  assertEquals(await Deno.readTextFile(join(t.root, "a/b/c.csv")), "x,y\n");
  assertEquals(await listDir(join(t.root, "a/b")), [".vc~meta~c.csv.json", "c.csv"]);
  const sidecar = JSON.parse(await Deno.readTextFile(join(t.root, "a/b/.vc~meta~c.csv.json")));
  assertEquals(sidecar.md5, md5Hex("x,y\n"));
  assertEquals(sidecar.size, 4);
  assertEquals(sidecar.metadata, { owner: "me" }, "metadata names are lower-cased like S3's");
  assertEquals(sidecar.contentType, "text/csv");
  assertEquals((await t.store.head("a/b/c.csv"))?.metadata, { owner: "me" });
});

Deno.test("FsStore: hostile keys are rejected, naming the key, and nothing is written", async () => {
  await using t = await tempRoot();
  const hostile = [
    "",
    "../x",
    "a/../../x",
    "/abs",
    "a\\b",
    "..\\x",
    "a\0b",
    "a\nb",
    "a\u007fb",
    "a//b",
    "a/",
    ".",
    "./a",
    "a/./b",
    ".vc~meta~x.json",
    "d/.vc~lock~y",
    ".vc~tmp~z",
    "x".repeat(241),
    "y".repeat(1025),
    "lone\uD800surrogate",
  ];
  for (const key of hostile) {
    // A long key is named in part, as S3Store names it; its controls as every
    // error message shows them (escaped, JSON leaves DEL as it is).
    const named = printable(quoted(key));
    await assertRejects(() => t.store.put(key, enc.encode("x")), InvalidInputError, named);
    await assertRejects(
      () => t.store.put(key, ReadableStream.from([enc.encode("x")])),
      InvalidInputError,
    );
    await assertRejects(() => t.store.get(key), InvalidInputError, named);
    await assertRejects(() => t.store.head(key), InvalidInputError, named);
    await assertRejects(() => t.store.delete(["fine", key]), InvalidInputError, named);
    await assertRejects(() => t.store.copy("fine", key), InvalidInputError, named);
  }
  assertEquals(await listDir(t.base), [], "nothing was created at all");
  // Prefixes that no valid key can have list nothing rather than escaping.
  await t.store.put("ok", enc.encode("x"));
  assertEquals(await listKeys(t.store, "../"), []);
  assertEquals(await listKeys(t.store, "./"), []);
  assertEquals(await listKeys(t.store, "/"), []);
  assertEquals(await listKeys(t.store, ".vc~"), []);
});

Deno.test("FsStore: nothing is read or written outside the root through symbolic links", async () => {
  await using t = await tempRoot();
  const outside = join(t.base, "outside");
  await Deno.mkdir(outside);
  await Deno.writeTextFile(join(outside, "secret"), "secret");
  await t.store.put("inside", enc.encode("in"));
  await Deno.symlink(outside, join(t.root, "linkdir"));
  await Deno.symlink(join(outside, "secret"), join(t.root, "linkfile"));

  await assertRejects(
    () => t.store.put("linkdir/x", enc.encode("x")),
    InvalidInputError,
    "linkdir/x",
  );
  await assertRejects(() => t.store.put("linkdir/sub/x", enc.encode("x")), InvalidInputError);
  assertEquals(await t.store.head("linkdir/secret"), undefined);
  await assertRejects(() => t.store.get("linkdir/secret"), NotFoundError);
  assertEquals(await t.store.head("linkfile"), undefined);
  await assertRejects(() => t.store.get("linkfile"), NotFoundError);
  assertEquals(await listKeys(t.store, ""), ["inside"]);
  assertEquals(await listKeys(t.store, "linkdir/"), []);
  await t.store.delete(["linkdir/secret", "linkfile"]);
  assertEquals(await listDir(outside), ["secret"]);
  assertEquals(await Deno.readTextFile(join(outside, "secret")), "secret");

  // Writing the linked key replaces the link itself, never the link's target.
  await t.store.put("linkfile", enc.encode("replaced"));
  assertEquals(await Deno.readTextFile(join(outside, "secret")), "secret");
  assertEquals((await Deno.lstat(join(t.root, "linkfile"))).isSymlink, false);
  assertEquals(await readText(t.store, "linkfile"), "replaced");
  assertEquals(await listDir(outside), ["secret"]);

  // The root itself may be a link.
  const viaLink = new FsStore(join(t.base, "root-link"));
  await Deno.symlink(t.root, join(t.base, "root-link"));
  assertEquals(await readText(viaLink, "inside"), "in");
  await viaLink.put("deep/new", enc.encode("new"));
  assertEquals(await Deno.readTextFile(join(t.root, "deep/new")), "new");
});

Deno.test("FsStore: a file dropped in by hand gets its MD5 as ETag, and a sidecar", async () => {
  await using t = await tempRoot();
  await Deno.mkdir(join(t.root, "hand"), { recursive: true });
  await Deno.writeTextFile(join(t.root, "hand/made.csv"), "1,2,3\n");
  // Just written: hashed, but no sidecar for a state a same-tick write could share.
  assertEquals((await t.store.head("hand/made.csv"))?.etag, md5Hex("1,2,3\n"));
  assertEquals(await listDir(join(t.root, "hand")), ["made.csv"]);
  await new Promise((r) => setTimeout(r, SETTLE_MS + 1200));
  const info = await t.store.head("hand/made.csv");
  assertEquals(info?.etag, md5Hex("1,2,3\n"));
  assertEquals(info?.size, 6);
  assertEquals(await listDir(join(t.root, "hand")), [".vc~meta~made.csv.json", "made.csv"]);
  const listed = [];
  for await (const i of t.store.list("hand/")) listed.push([i.key, i.etag]);
  assertEquals(listed, [["hand/made.csv", md5Hex("1,2,3\n")]]);
  assertEquals(await readText(t.store, "hand/made.csv"), "1,2,3\n");
  // Create-once sees it as existing.
  await assertRejects(() => t.store.put("hand/made.csv", enc.encode("x"), { ifNoneMatch: "*" }));
});

Deno.test("FsStore: a file edited after put gets a fresh ETag; a touch keeps the metadata", async () => {
  await using t = await tempRoot();
  const path = join(t.root, "e.txt");
  await t.store.put("e.txt", enc.encode("v1"), { metadata: { tag: "one" } });

  await Deno.utime(path, new Date(), new Date(Date.now() + 5_000)); // touched, same content
  let info = await t.store.head("e.txt");
  assertEquals(info?.etag, md5Hex("v1"));
  assertEquals(info?.metadata, { tag: "one" }, "same content: metadata still applies");

  await Deno.writeTextFile(path, "version 2"); // edited in place, other size
  info = await t.store.head("e.txt");
  assertEquals(info?.etag, md5Hex("version 2"));
  assertEquals(info?.metadata, {}, "changed content: the old metadata is dropped");

  await Deno.writeTextFile(path, "version 3"); // same size
  await Deno.utime(path, new Date(), new Date(Date.now() + 60_000));
  const got = await t.store.get("e.txt");
  assertEquals(got.info.etag, md5Hex("version 3"));
  assertEquals(await new Response(got.body).text(), "version 3");
  const listed: [string, string][] = [];
  for await (const i of t.store.list("")) listed.push([i.key, i.etag]);
  assertEquals(listed, [["e.txt", md5Hex("version 3")]]);
});

Deno.test("FsStore: a read-only root works for head, get and list", async () => {
  await using t = await tempRoot();
  await t.store.put("stored/a.txt", enc.encode("through the store"), { metadata: { k: "v" } });
  await Deno.writeTextFile(join(t.root, "stored/hand.txt"), "by hand");
  await Deno.writeTextFile(join(t.root, "top.txt"), "top");
  const script = join(t.base, "readonly_child.ts");
  await Deno.writeTextFile(
    script,
    `
    import { FsStore } from ${JSON.stringify(FS_TS)};
    const store = new FsStore(${JSON.stringify(t.root)});
    const out = { list: [], heads: {}, bodies: {}, putError: "", deleteError: "" };
    for await (const i of store.list("")) out.list.push([i.key, i.etag]);
    for (const k of ["stored/a.txt", "stored/hand.txt", "top.txt"]) {
      const h = await store.head(k);
      out.heads[k] = [h.etag, h.metadata];
      out.bodies[k] = await new Response((await store.get(k)).body).text();
    }
    try { await store.put("new.txt", new Uint8Array([1])); } catch (e) { out.putError = e.name; }
    try { await store.delete(["top.txt"]); } catch (e) { out.deleteError = e.name; }
    console.log(JSON.stringify(out));
    `,
  );
  // Without --allow-write every write fails, as on a read-only mount.
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-lock",
      "--no-prompt",
      `--allow-read=${t.base},${dirname(fileURLToPath(FS_TS))}`,
      script,
    ],
    cwd: t.base,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(code, 0, dec.decode(stderr));
  const out = JSON.parse(dec.decode(stdout));
  assertEquals(out.list, [
    ["stored/a.txt", md5Hex("through the store")],
    ["stored/hand.txt", md5Hex("by hand")],
    ["top.txt", md5Hex("top")],
  ]);
  assertEquals(out.heads["stored/a.txt"], [md5Hex("through the store"), { k: "v" }]);
  assertEquals(out.heads["stored/hand.txt"], [md5Hex("by hand"), {}]);
  assertEquals(out.bodies["stored/hand.txt"], "by hand");
  assertEquals(out.putError, AccessDeniedError.name);
  assertEquals(out.deleteError, AccessDeniedError.name);
  assertEquals(await listDir(join(t.root, "stored")), [".vc~meta~a.txt.json", "a.txt", "hand.txt"]);
});

Deno.test("FsStore: crash leftovers (temp files, stale locks) are hidden and do not block", async () => {
  await using t = await tempRoot();
  await t.store.put("d/k", enc.encode("1"));
  await Deno.writeTextFile(join(t.root, "d/.vc~tmp~deadbeef"), "partial upload");
  await Deno.writeTextFile(join(t.root, ".vc~tmp~0123"), "partial upload");
  const lock = join(t.root, "d/.vc~lock~k");
  await Deno.writeTextFile(lock, "");
  const old = new Date(Date.now() - 120_000);
  await Deno.utime(lock, old, old);
  assertEquals(await listKeys(t.store, ""), ["d/k"]);
  await t.store.put("d/k", enc.encode("2")); // breaks the 2-minute-old lock
  assertEquals(await readText(t.store, "d/k"), "2");
  assertEquals((await listDir(join(t.root, "d"))).filter((n) => n.startsWith(".vc~lock~")), []);
});

Deno.test("FsStore lock: a dead holder's lock is broken at once, a live one is waited for", async () => {
  await using t = await tempRoot();
  await Deno.mkdir(t.root);
  const path = join(t.root, ".vc~lock~x");
  const deadPid = (await new Deno.Command(Deno.execPath(), {
    args: ["eval", "console.log(Deno.pid)"],
    stdout: "piped",
  }).output()).stdout;
  await Deno.writeTextFile(
    path,
    JSON.stringify({ pid: Number(dec.decode(deadPid)), host: Deno.hostname(), nonce: "n", at: "" }),
  );
  const lock = await acquireLock(path, { staleMs: 600_000, timeoutMs: 5_000 });
  await assertRejects(
    () => acquireLock(path, { staleMs: 600_000, timeoutMs: 100 }),
    StoreError,
    path,
  );
  await lock.release();
  await (await acquireLock(path, { timeoutMs: 1_000 })).release();
  assertEquals(await listDir(t.root), []);
});

Deno.test("FsStore: a key cannot be both an object and a directory of keys", async () => {
  await using t = await tempRoot();
  await t.store.put("a", enc.encode("file"));
  await assertRejects(() => t.store.put("a/b", enc.encode("x")), InvalidInputError, "a/b");
  await t.store.put("c/d", enc.encode("x"));
  await assertRejects(() => t.store.put("c", enc.encode("x")), InvalidInputError, "c");
  await assertRejects(
    () => t.store.put("c", enc.encode("x"), { ifNoneMatch: "*" }),
    InvalidInputError,
  );
  assertEquals(await listKeys(t.store, ""), ["a", "c/d"]);
  // An empty directory left behind gives way.
  await Deno.mkdir(join(t.root, "e"));
  await t.store.put("e", enc.encode("e"));
  assertEquals(await readText(t.store, "e"), "e");
});

Deno.test("FsStore: delete removes directories left empty, up to the root", async () => {
  await using t = await tempRoot();
  await t.store.put("x/y/z", enc.encode("1"));
  await t.store.put("x/keep", enc.encode("2"));
  await t.store.delete(["x/y/z"]);
  assertEquals(await listDir(join(t.root, "x")), [".vc~meta~keep.json", "keep"]);
  await t.store.delete(["x/keep"]);
  assertEquals(await listDir(t.root), []);
  assertEquals((await Deno.stat(t.root)).isDirectory, true, "the root stays");
});

Deno.test("FsStore: an aborted streaming put removes its temp file", async () => {
  await using t = await tempRoot();
  const controller = new AbortController();
  let pulls = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(c) {
      if (++pulls === 3) controller.abort(new Error("user cancelled"));
      if (pulls < 3) c.enqueue(new Uint8Array(1024));
      // After the abort the source stalls: the put must not wait for it.
    },
  });
  await assertRejects(
    () => t.store.put("dir/big", endless, { signal: controller.signal }),
    Error,
    "user cancelled",
  );
  assertEquals(await listDir(join(t.root, "dir")), []);
  assertEquals(await t.store.head("dir/big"), undefined);
});

Deno.test("FsStore: a file body that does not exist throws NotFoundError naming the path", async () => {
  await using t = await tempRoot();
  const missing = join(t.base, "no-such-file");
  await assertRejects(() => t.store.put("k", { path: missing }), NotFoundError, missing);
  assertEquals(await t.store.head("k"), undefined);
});

Deno.test("FsStore: create-once across processes: exactly one winner per key", async () => {
  await using t = await tempRoot();
  const children = 4;
  const keys = 25;
  const code = `
    const { FsStore } = await import(${JSON.stringify(FS_TS)});
    const [root, id] = [Deno.args[0], Deno.args[1]];
    const store = new FsStore(root);
    await Deno.writeTextFile(root + "/../ready-" + id, "");
    for (let i = 0; i < 500; i++) {
      try { await Deno.stat(root + "/../go"); break; } catch { await new Promise((r) => setTimeout(r, 10)); }
    }
    const won = [];
    for (let k = 0; k < ${keys}; k++) {
      try {
        await store.put("race/k" + k, new TextEncoder().encode(id), { ifNoneMatch: "*" });
        won.push(k);
      } catch (e) {
        if (e.name !== "PreconditionFailedError") throw e;
      }
    }
    console.log(JSON.stringify(won));
  `;
  await Deno.mkdir(t.root);
  const procs = Array.from({ length: children }, (_, id) =>
    new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-lock", code, t.root, String(id)],
      cwd: t.base,
      stdout: "piped",
      stderr: "piped",
    }).spawn());
  try {
    for (let i = 0; i < 1000; i++) {
      const ready = (await listDir(t.base)).filter((n) => n.startsWith("ready-")).length;
      if (ready === children) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await Deno.writeTextFile(join(t.base, "go"), "");
  } finally {
    const outputs = await Promise.all(procs.map((p) => p.output()));
    const wins = new Map<number, number[]>();
    outputs.forEach((o, id) => {
      assertEquals(o.code, 0, dec.decode(o.stderr));
      for (const k of JSON.parse(dec.decode(o.stdout)) as number[]) {
        wins.set(k, [...(wins.get(k) ?? []), id]);
      }
    });
    for (let k = 0; k < keys; k++) {
      const winners = wins.get(k) ?? [];
      assertEquals(winners.length, 1, `key race/k${k} winners: ${winners}`);
      assertEquals(await readText(t.store, `race/k${k}`), String(winners[0]));
    }
  }
  assertEquals(
    (await listDir(join(t.root, "race"))).filter((n) =>
      n.startsWith(".vc~tmp~") || n.includes(".vc-tmp-") || n.startsWith(".vc~lock~")
    ),
    [],
    "no temp or lock files left",
  );
});

Deno.test("FsStore: concurrent unconditional puts leave data and metadata consistent", async () => {
  await using t = await tempRoot();
  await Promise.all(
    Array.from(
      { length: 20 },
      (_, i) =>
        t.store.put("hot", enc.encode(`writer ${i} `.repeat(i + 1)), {
          metadata: { writer: String(i) },
        }),
    ),
  );
  const info = await t.store.head("hot");
  assert(info !== undefined);
  const body = await readText(t.store, "hot");
  assertEquals(info.etag, md5Hex(body));
  assertStringIncludes(
    body,
    `writer ${info.metadata?.writer} `,
    "metadata belongs to the stored body",
  );
});
