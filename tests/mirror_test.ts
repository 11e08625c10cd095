/**
 * `mirror()` local → store and store → local, against every backend in
 * BACKENDS (fake S3, FsStore, and moto when VC_TEST_S3_ENDPOINT is set).
 */
import { join } from "node:path";
import { Mirror, mirror } from "../src/mirror/mirror.ts";
import { FsStore } from "../src/store/fs.ts";
import { InvalidInputError, VcError } from "../src/errors.ts";
import { errorMessage } from "../src/cli/errors.ts";
import type { MirrorOptions } from "../src/mirror/types.ts";
import type { GetOptions, GetResult, PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { WrappingStore } from "./versioned_helpers.ts";
import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
  assertThrows,
} from "./assert.ts";
import { MirrorState } from "../src/mirror/state.ts";
import {
  BACKENDS,
  RACY_MS,
  settle,
  storeContents,
  tempDir,
  treeContents,
  upOptions,
  writeTree,
} from "./mirror_helpers.ts";
import { overriding } from "./overriding.ts";

const enc = new TextEncoder();

for (const backend of BACKENDS) {
  const t = (name: string, fn: () => Promise<void>) =>
    Deno.test({ name: `mirror (${backend.name}): ${name}`, ignore: backend.ignore, fn });

  t("uploads a tree, then a second run changes nothing and hashes nothing", async () => {
    await using b = await backend.make();
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a", "sub/b.txt": "bb", "sub/deep/c.txt": "ccc", "a-b": "x" });
    await settle();
    const opts = upOptions(w.dir, b.store);
    const first = await mirror(opts);
    assertEquals(first.transferred, 4);
    assertEquals(first.bytes, 7);
    assertEquals(first.failed, []);
    assertEquals(await storeContents(b.store), {
      "a-b": "x",
      "a.txt": "a",
      "sub/b.txt": "bb",
      "sub/deep/c.txt": "ccc",
    });
    const second = await mirror(opts);
    assertEquals([second.transferred, second.unchanged, second.hashed, second.heads], [0, 4, 0, 0]);
  });

  t("same-size edits are found even with the old mtime restored", async () => {
    await using b = await backend.make();
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "data.csv": "1,2,3\n", "other.txt": "same" });
    await settle();
    const opts = upOptions(w.dir, b.store);
    await mirror(opts);
    const path = join(src, "data.csv");
    const before = await Deno.stat(path);
    await Deno.writeTextFile(path, "4,5,6\n"); // same size
    await Deno.utime(path, before.atime!, before.mtime!); // and the old mtime
    const after = await Deno.stat(path);
    assertEquals([after.size, after.mtime?.getTime()], [before.size, before.mtime?.getTime()]);
    const run = await mirror(opts);
    assertEquals(run.transferred, 1);
    assertEquals(run.hashed, 1); // only the changed file was read again
    assertEquals((await storeContents(b.store))["data.csv"], "4,5,6\n");
    // Future and past mtimes change nothing once the content is known equal:
    // no endless re-uploads.
    for (const mtime of [Date.now() + 365 * 86_400_000, 0]) {
      await Deno.utime(path, new Date(), new Date(mtime));
      assertEquals((await mirror(opts)).transferred, 0);
      assertEquals((await mirror(opts)).transferred, 0);
    }
    // --checksum re-reads everything but uploads nothing.
    const full = await mirror({ ...opts, checksum: true });
    assertEquals([full.hashed, full.transferred], [2, 0]);
  });

  t("deletes only with delete: true", async () => {
    await using b = await backend.make();
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "keep.txt": "k", "gone.txt": "g" });
    const opts = upOptions(w.dir, b.store);
    await mirror(opts);
    await Deno.remove(join(src, "gone.txt"));
    const kept = await mirror(opts);
    assertEquals([kept.deleted, kept.extra], [0, 1]);
    assertEquals(Object.keys(await storeContents(b.store)), ["gone.txt", "keep.txt"]);
    const dry = await mirror({ ...opts, delete: true, dryRun: true });
    // The size is the store's (what the delete frees).
    assertEquals(dry.actions, [{ action: "delete", key: "gone.txt", size: 1 }]);
    assertEquals(Object.keys(await storeContents(b.store)), ["gone.txt", "keep.txt"]);
    const deleted = await mirror({ ...opts, delete: true });
    assertEquals(deleted.deleted, 1);
    assertEquals(Object.keys(await storeContents(b.store)), ["keep.txt"]);
  });

  t("prefixes: trailing and leading slashes never give // or a leading /", async () => {
    await using b = await backend.make();
    await using w = await tempDir();
    await writeTree(w.dir, { "data/2024/x.csv": "x", "data/2025/y.csv": "y" });
    for (const targetPrefix of ["/backup/v1/", "backup/v1", "backup/v1/"]) {
      await mirror({
        sources: [join(w.dir, "data", "2024") + "/", join(w.dir, "data/2025")],
        target: b.store,
        sourcePrefix: join(w.dir, "data") + "//",
        targetPrefix,
        statePath: join(w.dir, "s.db"),
      });
    }
    const keys = Object.keys(await storeContents(b.store));
    assertEquals(keys, ["backup/v1/2024/x.csv", "backup/v1/2025/y.csv"]);
    // Without a source prefix keys are relative to each SOURCE.
    await mirror({
      sources: [join(w.dir, "data/2024/")],
      target: b.store,
      targetPrefix: "/",
      statePath: join(w.dir, "s2.db"),
    });
    assert((await storeContents(b.store))["x.csv"] === "x");
    await assertRejects(
      () =>
        mirror({
          sources: [join(w.dir, "data")],
          target: b.store,
          sourcePrefix: "/elsewhere",
          statePath: join(w.dir, "s3.db"),
        }),
      Error,
      "is not inside the sourcePrefix option",
    );
  });

  t(
    "filters: --filter includes, --exclude excludes, excluded objects are never deleted",
    async () => {
      await using b = await backend.make();
      await using w = await tempDir();
      const src = join(w.dir, "src");
      await writeTree(src, { "a.csv": "1", "b.txt": "2", "tmp/c.csv": "3" });
      await b.store.put("old.log", enc.encode("log"));
      const r = await mirror({
        sources: [src],
        target: b.store,
        filter: ["\\.csv$"],
        exclude: ["^tmp/"],
        delete: true,
        statePath: join(w.dir, "s.db"),
      });
      assertEquals(r.transferred, 1);
      assertEquals(Object.keys(await storeContents(b.store)), ["a.csv", "old.log"]);
    },
  );

  t("a file that vanishes mid-run is reported, the rest is copied", async () => {
    await using b = await backend.make();
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a", "b.txt": "b", "c.txt": "c" });
    const r = await mirror({
      sources: [src],
      target: b.store,
      concurrency: 1,
      statePath: join(w.dir, "s.db"),
      // The walk has already listed c.txt when a.txt is done.
      onProgress: (p) => {
        if (p.current === "a.txt" && p.done === 1) Deno.removeSync(join(src, "c.txt"));
      },
    });
    assertEquals(r.transferred, 2);
    assertEquals(r.failed.length, 1);
    assertEquals(r.failed[0]!.key, "c.txt");
    assertStringIncludes(r.failed[0]!.error, "vanished");
    assertEquals(Object.keys(await storeContents(b.store)), ["a.txt", "b.txt"]);
  });

  t("an unreadable entry in the walk keeps deletes from happening", async () => {
    await using b = await backend.make();
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a" });
    await b.store.put("stale.txt", enc.encode("s"));
    await Deno.symlink(join(w.dir, "missing"), join(src, "dangling"));
    const r = await mirror({
      sources: [src],
      target: b.store,
      symlinks: "follow",
      delete: true,
      statePath: join(w.dir, "s.db"),
    });
    assertEquals(r.transferred, 1);
    assertEquals(r.deleted, 0);
    assert(r.deletesSkipped !== undefined, "deletes skipped");
    assertEquals(r.failed.length, 1);
    assertEquals(Object.keys(await storeContents(b.store)), ["a.txt", "stale.txt"]);
  });

  t("maxDelete: a pass that would delete more deletes none, either direction", async () => {
    await using b = await backend.make();
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a" });
    for (const k of ["x1", "x2", "x3"]) await b.store.put(`up/${k}`, enc.encode(k));
    const up = (maxDelete: number) =>
      mirror({
        sources: [src],
        target: b.store,
        targetPrefix: "up/",
        delete: true,
        maxDelete,
        statePath: join(w.dir, "s.db"),
      });
    const held = await up(2);
    assertEquals([held.transferred, held.deleted, held.extra], [1, 0, 3]);
    assertStringIncludes(held.deletesSkipped ?? "", "3 target entries have no source");
    assertEquals(Object.keys(await storeContents(b.store)).length, 4);
    assertEquals((await up(3)).deleted, 3);
    assertEquals(Object.keys(await storeContents(b.store)), ["up/a.txt"]);
    // One entry: said in the singular.
    await b.store.put("up/x4", enc.encode("x4"));
    assertStringIncludes(
      (await up(0)).deletesSkipped ?? "",
      "1 target entry has no source, more than the 0 one pass or batch may delete",
    );
    assertEquals((await up(1)).deleted, 1);
    // Store → local: the local files are what a pass would delete.
    const dest = join(w.dir, "dest");
    await writeTree(dest, { "a.txt": "a", "y1": "1", "y2": "2" });
    const down = (maxDelete: number) =>
      mirror({
        sources: [b.store],
        sourcePrefix: "up/",
        target: dest,
        delete: true,
        maxDelete,
        statePath: join(w.dir, "d.db"),
      });
    const keep = await down(1);
    assertEquals(keep.deleted, 0);
    assertStringIncludes(keep.deletesSkipped ?? "", "more than the 1");
    assertEquals(await Deno.readTextFile(join(dest, "y1")), "1");
    assertEquals((await down(2)).deleted, 2);
    await assertRejects(() => up(-1), InvalidInputError, "maxDelete");
  });

  t("store → local: download, no-op, remote same-size edit, delete", async () => {
    await using b = await backend.make();
    await using w = await tempDir();
    const dest = join(w.dir, "dest");
    await b.store.put("p/a.txt", enc.encode("aaa"));
    await b.store.put("p/sub/b.txt", enc.encode("b"));
    await b.store.put("q/other.txt", enc.encode("no"));
    const opts: MirrorOptions = {
      sources: [b.store],
      target: dest,
      sourcePrefix: "p/",
      statePath: join(w.dir, "s.db"),
      racyWindowMs: RACY_MS,
    };
    const first = await mirror(opts);
    assertEquals([first.direction, first.transferred], ["download", 2]);
    assertEquals(await treeContents(dest), { "a.txt": "aaa", "sub/b.txt": "b" });
    const again = await mirror(opts);
    assertEquals([again.transferred, again.unchanged, again.heads], [0, 2, 0]);
    // Files just written are hashed once more (racy); after that, never.
    await settle();
    await mirror(opts);
    const third = await mirror(opts);
    assertEquals([third.transferred, third.unchanged, third.hashed, third.heads], [0, 2, 0, 0]);
    await b.store.put("p/a.txt", enc.encode("AAA"));
    await writeTree(dest, { "local-only.txt": "l" });
    const edit = await mirror(opts);
    assertEquals([edit.transferred, edit.extra], [1, 1]);
    assertEquals((await treeContents(dest))["a.txt"], "AAA");
    const del = await mirror({ ...opts, delete: true });
    assertEquals(del.deleted, 1);
    assertEquals(await treeContents(dest), { "a.txt": "AAA", "sub/b.txt": "b" });
  });

  t("multipart uploads compare through vc-md5: no re-upload, same-size edits found", async () => {
    const real = backend.name.startsWith("S3 endpoint");
    // Real servers need 5 MiB parts; the fake is told to accept 1 KiB ones.
    const size = real ? 11 * 1024 * 1024 : 5000;
    await using b = await backend.make({ multipartThreshold: real ? 5 * 1024 * 1024 : 2048 });
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "big.bin": "x".repeat(size) });
    await settle();
    const opts = upOptions(w.dir, b.store);
    assertEquals((await mirror(opts)).transferred, 1);
    const again = await mirror(opts);
    assertEquals([again.transferred, again.heads, again.hashed], [0, 0, 0]);
    const fresh = await mirror({ ...opts, statePath: join(w.dir, "fresh.db") });
    assertEquals([fresh.transferred, fresh.unchanged], [0, 1]);
    await Deno.writeTextFile(join(src, "big.bin"), "y".repeat(size));
    assertEquals((await mirror(opts)).transferred, 1);
    const { body } = await b.store.get("big.bin");
    assertEquals((await new Response(body).text()).slice(0, 3), "yyy");
  });

  t("dry run changes nothing and lists the plan", async () => {
    await using b = await backend.make();
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(src, { "a.txt": "a", "b.txt": "b" });
    const statePath = join(w.dir, "s.db");
    const r = await mirror({ sources: [src], target: b.store, dryRun: true, statePath });
    assertEquals(r.actions?.map((a) => `${a.action} ${a.key}`), ["upload a.txt", "upload b.txt"]);
    assertEquals(await storeContents(b.store), {});
    assert(!(await Deno.stat(statePath).then(() => true, () => false)), "no state file written");
  });
}

Deno.test("mirror: two sources with the same key: the first wins, the other is reported", async () => {
  await using w = await tempDir();
  const bucket = join(w.dir, "bucket");
  await writeTree(w.dir, { "one/x.txt": "1", "two/x.txt": "2", "two/y.txt": "y" });
  const r = await mirror({
    sources: [join(w.dir, "one"), join(w.dir, "two")],
    target: `file://${bucket}`,
    statePath: join(w.dir, "s.db"),
  });
  assertEquals(r.transferred, 2);
  assertEquals(r.failed.length, 1);
  const store = new FsStore(bucket);
  assertEquals((await storeContents(store))["x.txt"], "1");
  await store.close();
});

Deno.test("mirror: a source inside another, keys from one prefix: each file once, no conflict", async () => {
  await using w = await tempDir();
  const bucket = join(w.dir, "bucket");
  await writeTree(w.dir, { "srv/a/sub/x.txt": "x", "srv/a/y.txt": "y" });
  const r = await mirror({
    sources: [join(w.dir, "srv/a"), join(w.dir, "srv/a/sub")],
    target: `file://${bucket}`,
    sourcePrefix: join(w.dir, "srv"),
    statePath: join(w.dir, "s.db"),
  });
  // The nested source gives the same file the same key: one file, not a conflict.
  assertEquals(r.failed, []);
  assertEquals(r.transferred, 2);
  const store = new FsStore(bucket);
  assertEquals(await storeContents(store), { "a/sub/x.txt": "x", "a/y.txt": "y" });
  await store.close();
});

Deno.test("mirror: symlinks are skipped by default, followed on request, loops never", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(w.dir, { "src/d/a.txt": "a", "outside/o.txt": "o" });
  await Deno.symlink(join(w.dir, "outside"), join(src, "link"));
  await Deno.symlink(src, join(src, "d", "loop"));
  const bucket = join(w.dir, "bucket");
  const skip = await mirror({
    sources: [src],
    target: `file://${bucket}`,
    statePath: join(w.dir, "1"),
  });
  assertEquals(skip.transferred, 1);
  const follow = await mirror({
    sources: [src],
    target: `file://${bucket}`,
    symlinks: "follow",
    statePath: join(w.dir, "2"),
  });
  assertEquals(follow.transferred, 1); // link/o.txt; the loop is not entered
  const store = new FsStore(bucket);
  assertEquals(Object.keys(await storeContents(store)), ["d/a.txt", "link/o.txt"]);
  await store.close();
});

Deno.test({
  name:
    "mirror --follow-symlinks: a link that leads nowhere is named as one, never as vanished, and its object is kept",
  ignore: Deno.build.os === "windows", // symlinks need privileges there
  async fn() {
    await using w = await tempDir();
    const src = join(w.dir, "src");
    await writeTree(w.dir, { "src/a.txt": "a", "disk/f.txt": "on a disk" });
    await Deno.symlink(join(w.dir, "disk/f.txt"), join(src, "link.txt"));
    await Deno.symlink("self", join(src, "self"));
    const bucket = join(w.dir, "bucket");
    const options = {
      sources: [src],
      target: `file://${bucket}`,
      symlinks: "follow" as const,
      delete: true,
      statePath: join(w.dir, "s.db"),
    };
    const first = await mirror(options);
    assertEquals(first.transferred, 2);
    // The disk it leads to is gone (not mounted): the link leads nowhere.
    await Deno.remove(join(w.dir, "disk"), { recursive: true });
    const pass = await mirror(options);
    const errors = Object.fromEntries(pass.failed.map((f) => [f.path, f.error]));
    assertEquals(Object.keys(errors).sort(), [join(src, "link.txt"), join(src, "self")]);
    assertStringIncludes(
      errors[join(src, "link.txt")]!,
      `a symbolic link to ${join(w.dir, "disk/f.txt")}, which does not exist: not followed`,
    );
    assertStringIncludes(errors[join(src, "self")]!, "a symbolic link to self, which is a loop");
    for (const e of Object.values(errors)) assert(!e.includes("vanished"), e);
    assertEquals(pass.deleted, 0);
    // A watch event on it says the same and keeps its object.
    const m = await Mirror.open(options);
    try {
      const event = await m.syncPath(join(src, "link.txt"));
      assertEquals(event.deleted, 0);
      assertStringIncludes(event.failed[0]?.error ?? "", "which does not exist: not followed");
    } finally {
      await m.close();
    }
    const store = new FsStore(bucket);
    assertEquals(Object.keys(await storeContents(store)), ["a.txt", "link.txt"]);
    await store.close();
  },
});

Deno.test("mirror: bad input is named", async () => {
  await using w = await tempDir();
  await assertRejects(
    () => mirror({ sources: [w.dir], target: join(w.dir, "x") }),
    Error,
    "must be a store URI",
  );
  await assertRejects(
    () => mirror({ sources: [w.dir], target: `file://${w.dir}/b`, filter: ["("] }),
    Error,
    'filter pattern "("', // the option a script gives, not vc mirror's flag
  );
  await assertRejects(
    () => mirror({ sources: [w.dir], target: `file://${w.dir}/../b`, statePath: `${w.dir}/s.db` }),
    Error,
    "must not be inside the mirrored directory",
  );
  await assertRejects(
    () => mirror({ sources: [w.dir], target: `file://${w.dir}/backup`, statePath: `${w.dir}.db` }),
    Error,
    "overlap (one holds the other)",
  );
  await assertRejects(
    () => mirror({ sources: [`${w.dir}/missing`], target: `file://${w.dir}/b` }),
    Error,
    "cannot be read",
  );
  await assertRejects(
    () => mirror({ sources: [w.dir, "s3://b/x"], target: `file://${w.dir}/b` }),
    Error,
    "all be local directories",
  );
});

Deno.test("mirror: syncPath (watch events) never mirrors through a skipped symlink", async () => {
  await using w = await tempDir();
  await writeTree(w.dir, { "src/a.txt": "a", "outside/secret.txt": "s" });
  await Deno.symlink(join(w.dir, "outside"), join(w.dir, "src", "link"));
  const bucket = join(w.dir, "bucket");
  const m = await Mirror.open({
    sources: [join(w.dir, "src")],
    target: `file://${bucket}`,
    statePath: join(w.dir, "s.db"),
  });
  try {
    const r = await m.syncPath(join(w.dir, "src", "link"));
    assertEquals(r.transferred, 0);
    const a = await m.syncPath(join(w.dir, "src", "a.txt"));
    assertEquals(a.transferred, 1);
  } finally {
    await m.close();
  }
  const store = new FsStore(bucket);
  assertEquals(Object.keys(await storeContents(store)), ["a.txt"]);
  await store.close();
});

Deno.test("mirror refuses a file:// store and a local directory that hold one another", async () => {
  await using w = await tempDir();
  // Upload: the source inside the target store's directory.
  await writeTree(join(w.dir, "A/src"), { "data.txt": "precious" });
  await assertRejects(
    () =>
      mirror({
        sources: [join(w.dir, "A/src")],
        target: `file://${w.dir}/A`,
        delete: true,
        statePath: join(w.dir, "s1.db"),
      }),
    Error,
    "overlap (one holds the other)",
  );
  assertEquals(await Deno.readTextFile(join(w.dir, "A/src/data.txt")), "precious");
  // Download: the source store inside the target directory (and through a link to it).
  await writeTree(join(w.dir, "t"), { "a.txt": "a", "b/c.txt": "c" });
  await mirror({
    sources: [join(w.dir, "t")],
    target: `file://${w.dir}/B/store`,
    statePath: join(w.dir, "s2.db"),
  });
  await Deno.symlink(join(w.dir, "B"), join(w.dir, "B-link"));
  for (const target of [join(w.dir, "B"), join(w.dir, "B-link")]) {
    await assertRejects(
      () =>
        mirror({
          sources: [`file://${w.dir}/B/store`],
          target,
          delete: true,
          statePath: join(w.dir, "s3.db"),
        }),
      Error,
      "overlap",
    );
  }
  assertEquals(Object.keys(await storeContents(new FsStore(join(w.dir, "B/store")))).sort(), [
    "a.txt",
    "b/c.txt",
  ]);
  // Apart (siblings, or the store's prefix elsewhere): allowed.
  const ok = await mirror({
    sources: [`file://${w.dir}/B/store`],
    target: join(w.dir, "C"),
    statePath: join(w.dir, "s4.db"),
  });
  assertEquals(ok.transferred, 2);
});

Deno.test("mirror store → local never writes or deletes through a link in the target", async () => {
  await using w = await tempDir();
  await writeTree(join(w.dir, "src"), { "evil/secret": "PWNED", "fine.txt": "f" });
  const store = `file://${w.dir}/store`;
  await mirror({ sources: [join(w.dir, "src")], target: store, statePath: join(w.dir, "s1.db") });
  await writeTree(join(w.dir, "outside"), { secret: "ORIGINAL", precious: "keep" });
  await Deno.mkdir(join(w.dir, "dst"));
  await Deno.symlink(join(w.dir, "outside"), join(w.dir, "dst/evil"));
  for (const symlinks of ["skip", "follow"] as const) {
    const r = await mirror({
      sources: [store],
      target: join(w.dir, "dst"),
      delete: true,
      symlinks,
      statePath: join(w.dir, `s-${symlinks}.db`),
    });
    assert(r.failed.some((f) => f.error.includes("symbolic link")), JSON.stringify(r.failed));
    assertEquals(await Deno.readTextFile(join(w.dir, "outside/secret")), "ORIGINAL");
    assertEquals(await Deno.readTextFile(join(w.dir, "outside/precious")), "keep");
    assertEquals(await Deno.readTextFile(join(w.dir, "dst/fine.txt")), "f");
  }
});

Deno.test("mirror names a state file it cannot use (damaged: may go; a directory: never told to remove it)", async () => {
  await using w = await tempDir();
  await writeTree(join(w.dir, "src"), { "a.txt": "a" });
  const damaged = join(w.dir, "damaged.db");
  await Deno.writeTextFile(damaged, "not a database ".repeat(100));
  const run = (statePath: string) =>
    assertRejects(
      () => mirror({ sources: [join(w.dir, "src")], target: `file://${w.dir}/store`, statePath }),
      InvalidInputError,
    );
  const e = await run(damaged);
  assertStringIncludes(e.message, `mirror state file ${damaged} cannot be used`);
  assertStringIncludes(e.message, "remove it");
  assertEquals(await Deno.readTextFile(damaged), "not a database ".repeat(100));
  const dir = await run(w.dir);
  assertStringIncludes(dir.message, `mirror state file ${w.dir} is a directory`);
  assert(!dir.message.includes("remove"), dir.message);
});

Deno.test("mirror: two runs on one state file: the second is refused while the first runs", async () => {
  await using w = await tempDir();
  const statePath = join(w.dir, "s.db");
  const first = new MirrorState(statePath);
  try {
    const e = assertThrows(() => new MirrorState(statePath), InvalidInputError);
    assertStringIncludes(e.message, "another `mirror()` is using the state file");
  } finally {
    first.close();
  }
  new MirrorState(statePath).close(); // free again
});

Deno.test("mirror state: a write that finds the file locked rolls its batch back; later writes work", async () => {
  await using w = await tempDir();
  const statePath = join(w.dir, "s.db");
  const state = new MirrorState(statePath);
  const { DatabaseSync } = await import("node:sqlite");
  const other = new DatabaseSync(statePath);
  try {
    other.exec("PRAGMA busy_timeout = 0");
    other.exec("BEGIN EXCLUSIVE"); // someone else holds the file
    const row = { size: 1, mtimeMs: 1, ctimeMs: 1, ino: 1, md5: "m", etag: "e" };
    // The write finds the file locked (after the state's busy timeout): an
    // error naming the state file, not the CLI's "internal error" of SQLite's
    // bare "database is locked".
    const e = assertThrows(() => {
      state.set("a", row);
      state.flush();
    });
    assert(e instanceof VcError, `a VcError, not ${String(e)}`);
    const text = errorMessage(e);
    assert(!text.startsWith("internal error"), text);
    assertStringIncludes(text, `mirror state file ${statePath} cannot be written`);
    assertStringIncludes(text, "locked");
    other.exec("ROLLBACK");
    state.set("b", row);
    state.flush();
    assertEquals(state.get("b")?.md5, "m");
  } finally {
    other.close();
    state.close();
  }
});

Deno.test("mirror store → local writes a file whose name is too long for a temp name beside it", async () => {
  await using b = await BACKENDS[0]!.make(); // the fake S3: keys of any length
  await using w = await tempDir();
  const long = "n".repeat(250); // 250 bytes: the file fits, `.<name>.vc-tmp-…` would not
  const wide = "é".repeat(120); // 240 bytes in UTF-8
  await b.store.put(`p/${long}`, enc.encode("x"));
  await b.store.put(`p/${wide}`, enc.encode("y"));
  const r = await mirror({
    sources: [b.store],
    sourcePrefix: "p/",
    target: join(w.dir, "dl"),
    statePath: join(w.dir, "s.db"),
  });
  assertEquals(r.failed, []);
  assertEquals(await Deno.readTextFile(join(w.dir, "dl", long)), "x");
  assertEquals(await Deno.readTextFile(join(w.dir, "dl", wide)), "y");
  assertEquals([...Deno.readDirSync(join(w.dir, "dl"))].length, 2); // no temp file left
});

Deno.test("mirror --delete: a key the store refuses to delete fails alone, named, and the rest go", async () => {
  await using w = await tempDir();
  const fs = new FsStore(join(w.dir, "store"));
  // A store that refuses any request naming "p/bad" (as S3Store refuses a `..` key).
  const store = overriding(fs, {
    delete: (keys: string[]) => {
      if (keys.includes("p/bad")) {
        return Promise.reject(new InvalidInputError(`key "p/bad" is refused`));
      }
      return fs.delete(keys);
    },
  });
  for (const k of ["p/a", "p/bad", "p/c", "p/keep"]) await fs.put(k, enc.encode(k));
  await writeTree(join(w.dir, "src"), { keep: "p/keep" });
  const r = await mirror({
    sources: [join(w.dir, "src")],
    target: store,
    targetPrefix: "p",
    delete: true,
    statePath: join(w.dir, "s.db"),
  });
  assertEquals(r.deleted, 2);
  assertEquals(r.failed.map((f) => f.key), ["bad"]);
  assertStringIncludes(r.failed[0]!.error, '"p/bad"');
  assertEquals(Object.keys(await storeContents(fs)).sort(), ["p/bad", "p/keep"]);
});

Deno.test("mirror store → local --delete converges when a directory of the store becomes a file", async () => {
  await using w = await tempDir();
  const fs = new FsStore(join(w.dir, "store"));
  await fs.put("sub/x", enc.encode("x"));
  const run = () =>
    mirror({
      sources: [fs],
      target: join(w.dir, "dl"),
      delete: true,
      statePath: join(w.dir, "s.db"),
    });
  assertEquals((await run()).transferred, 1);
  await fs.delete(["sub/x"]);
  await fs.put("sub", enc.encode("now a file"));
  // The first run cannot write `sub` over the directory holding `sub/x`; its
  // delete of `sub/x` empties the directory, which goes with it.
  const first = await run();
  assertEquals(first.deleted, 1);
  const second = await run();
  assertEquals(second.failed, []);
  assertEquals(await Deno.readTextFile(join(w.dir, "dl/sub")), "now a file");
  assertEquals((await run()).transferred, 0);
});

Deno.test("mirror store → local does not write an object named like vc's temp files (run after run)", async () => {
  await using b = await BACKENDS[0]!.make(); // the fake S3: any key
  await using w = await tempDir();
  await b.store.put("d/ok", enc.encode("ok"));
  await b.store.put("d/.a.vc-tmp-1-abcdefgh", enc.encode("put there by another tool"));
  const run = () =>
    mirror({ sources: [b.store], target: join(w.dir, "dl"), statePath: join(w.dir, "s.db") });
  for (const transferred of [1, 0]) {
    const r = await run();
    assertEquals(r.transferred, transferred);
    assertEquals(r.failed.map((f) => f.key), ["d/.a.vc-tmp-1-abcdefgh"]);
    assertStringIncludes(r.failed[0]!.error, "vc's temp files");
  }
  assertEquals([...Deno.readDirSync(join(w.dir, "dl/d"))].map((e) => e.name), ["ok"]);
});

Deno.test("mirror store → local removes what a download killed mid-file left, keeps a live one's", async () => {
  await using w = await tempDir();
  const fs = new FsStore(join(w.dir, "store"));
  await fs.put("d/big", enc.encode("big"));
  const dl = join(w.dir, "dl");
  await Deno.mkdir(join(dl, "d"), { recursive: true });
  // A dead writer's (no such pid; untouched for two hours), and this process's own.
  const dead = join(dl, "d/.big.vc-tmp-999999999-abcdefgh");
  const live = join(dl, `d/.other.vc-tmp-${Deno.pid}-abcdefgh`);
  await Deno.writeTextFile(dead, "half a file");
  await Deno.writeTextFile(live, "being written");
  // Live as a download's is: its writer holds a lock on it (however long the
  // test takes on a loaded machine, it is never taken for a dead writer's).
  using writer = await Deno.open(live, { read: true, write: true });
  await writer.lock(true);
  const old = new Date(Date.now() - 2 * 3600_000);
  await Deno.utime(dead, old, old);
  // Also with a --filter its temp name does not match: it is vc's, not the user's.
  for (const [walkThread, filter] of [[false, []], [true, []], [false, ["^d/big$"]]] as const) {
    await Deno.writeTextFile(dead, "half a file");
    await Deno.utime(dead, old, old);
    const r = await mirror({
      sources: [fs],
      target: dl,
      statePath: join(w.dir, "s.db"),
      walkThread,
      filter,
    });
    assertEquals(r.failed, []);
    assertEquals(
      await Deno.lstat(dead).then(() => true, () => false),
      false,
      `walkThread ${walkThread}, filter ${filter}`,
    );
    assertEquals(await Deno.readTextFile(live), "being written");
    assertEquals(await Deno.readTextFile(join(dl, "d/big")), "big");
  }
});

/**
 * A store that rewrites a file in place (same size) while it uploads it, as
 * an editor saving mid-upload, and that cannot check the whole body's MD5
 * (as S3 cannot for a multipart upload).
 */
class RewritesWhileUploading extends FsStore {
  override async put(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    if (typeof body === "object" && body !== null && "path" in body) {
      const size = (await Deno.stat(body.path)).size;
      await Deno.writeFile(body.path, new Uint8Array(size).fill(0x42));
    }
    const { md5: _unchecked, ...rest } = options;
    return await super.put(key, body, rest);
  }
}

Deno.test("mirror: a file rewritten in place while it is uploaded fails and is not remembered (the next run hashes it again)", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await Deno.mkdir(src);
  const big = join(src, "big.bin");
  await Deno.writeFile(big, new Uint8Array(1024 * 1024 + 1).fill(0x41)); // past SMALL_FILE: read from disk
  const statePath = join(w.dir, "s.db");
  const store = new RewritesWhileUploading(join(w.dir, "store"));
  try {
    const first = await mirror({ sources: [src], target: store, statePath });
    assertEquals(first.failed.length, 1);
    assertStringIncludes(first.failed[0]!.error, "changed while it was uploaded");
    // The next run does not take the object for the file: it uploads it again.
    const second = await mirror({
      sources: [src],
      target: new FsStore(join(w.dir, "store")),
      statePath,
    });
    assertEquals(second.failed, []);
    assertEquals(second.hashed, 1, "the file was hashed again, not taken from the state");
    assertEquals(
      await Deno.readFile(join(w.dir, "store", "big.bin")),
      await Deno.readFile(big),
    );
  } finally {
    await store.close();
  }
});

Deno.test("mirror syncPath (the watch's step): a file that became a directory, and the reverse, leave no old objects", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const storeDir = join(w.dir, "store");
  await writeTree(src, { "x": "a file", "keep.txt": "k" });
  const m = await Mirror.open({
    sources: [src],
    target: `file://${storeDir}`,
    statePath: join(w.dir, "s.db"),
    delete: true,
  });
  const keys = async () =>
    [...await Array.fromAsync(new FsStore(storeDir).list(""))].map((o) => o.key).sort();
  try {
    await m.run();
    assertEquals(await keys(), ["keep.txt", "x"]);
    // The file becomes a directory.
    await Deno.remove(join(src, "x"));
    await writeTree(src, { "x/y": "under x", "x/y2": "also" });
    let r = await m.syncPath(join(src, "x"));
    assertEquals(r.failed, []);
    assertEquals(await keys(), ["keep.txt", "x/y", "x/y2"]);
    // And back: the directory becomes a file.
    await Deno.remove(join(src, "x"), { recursive: true });
    await Deno.writeTextFile(join(src, "x"), "a file again");
    r = await m.syncPath(join(src, "x"));
    assertEquals(r.failed, []);
    assertEquals(await keys(), ["keep.txt", "x"]);
    assertEquals(await Deno.readTextFile(join(storeDir, "x")), "a file again");
  } finally {
    await m.close();
  }
});

Deno.test("mirror --follow-symlinks never enters its file:// target through a link (it would nest deeper each run)", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  const bucket = join(w.dir, "bucket");
  await writeTree(src, { "a.txt": "a" });
  await Deno.mkdir(join(bucket, "sub"), { recursive: true });
  await Deno.symlink(bucket, join(src, "to-target"));
  await Deno.symlink(join(bucket, "sub"), join(src, "into-target"));
  // Reaches it by descending (and the source itself, a loop: skipped).
  await Deno.symlink(w.dir, join(src, "above-target"));
  for (let run = 0; run < 2; run++) {
    const r = await mirror({
      sources: [src],
      target: `file://${bucket}`,
      symlinks: "follow",
      delete: true,
      statePath: join(w.dir, `s${run}.db`),
    });
    const refused = r.failed.map((f) => f.path ?? f.key).sort();
    assert(refused.includes(join(src, "to-target")), JSON.stringify(r.failed));
    assert(refused.includes(join(src, "into-target")), JSON.stringify(r.failed));
    assert(refused.includes(join(src, "above-target", "bucket")), JSON.stringify(r.failed));
    assertStringIncludes(r.failed[0]!.error, "which the walk must not enter");
  }
  // Nothing of the target was copied into it (the state files, beside it, were).
  const keys = Object.keys(await treeContents(bucket));
  assert(keys.includes("a.txt"));
  const nested = keys.filter((k) => /^(to-target|into-target|above-target\/bucket)\//.test(k));
  assertEquals(nested, []);
});

Deno.test("mirror store → local --delete: a target file where the store needs a directory goes first, as the dry run said", async () => {
  await using w = await tempDir();
  const fs = new FsStore(join(w.dir, "store"));
  try {
    await fs.put("a/b", enc.encode("1"));
    await fs.put("a/c", enc.encode("2"));
    const dl = join(w.dir, "dl");
    await writeTree(dl, { a: "a file where a directory belongs" });
    const options = { sources: [fs], target: dl, delete: true, statePath: join(w.dir, "s.db") };
    const dry = await mirror({ ...options, dryRun: true });
    assertEquals([dry.transferred, dry.deleted], [2, 1]);
    const real = await mirror(options);
    assertEquals(real.failed, []);
    assertEquals([real.transferred, real.deleted], [2, 1]);
    assertEquals(await treeContents(dl), { "a/b": "1", "a/c": "2" });
    // Without --delete the file stays, and the downloads below it fail, named.
    await Deno.remove(join(dl, "a"), { recursive: true });
    await writeTree(dl, { a: "kept" });
    const kept = await mirror({ ...options, delete: false, statePath: join(w.dir, "s2.db") });
    assertEquals(kept.failed.length, 2);
    assertEquals(await Deno.readTextFile(join(dl, "a")), "kept");
  } finally {
    await fs.close();
  }
});

Deno.test("mirror: a download replaced since the listing counts the bytes written, not the listed size", async () => {
  await using w = await tempDir();
  const fs = new FsStore(join(w.dir, "bucket"));
  try {
    await fs.put("p/a.bin", enc.encode("x".repeat(1000)));
    // Listed at 1000 bytes; replaced by 7 bytes before its GET.
    const replacing = new (class extends WrappingStore {
      override async get(key: string, options?: GetOptions): Promise<GetResult> {
        await this.inner.put(key, enc.encode("replace"));
        return await super.get(key, options);
      }
    })(fs);
    const out = join(w.dir, "out");
    const r = await mirror({
      sources: [replacing],
      sourcePrefix: "p",
      target: out,
      statePath: join(w.dir, "s.db"),
    });
    assertEquals([r.transferred, r.bytes], [1, 7]);
    assertEquals(await Deno.readTextFile(join(out, "a.bin")), "replace");
  } finally {
    await fs.close();
  }
});

Deno.test("mirror local → file:// --delete: a file that became a directory, and the reverse, converge in one run", async () => {
  await using w = await tempDir();
  const src = join(w.dir, "src");
  await writeTree(src, { a: "file", "d/x": "x" });
  const store = new FsStore(join(w.dir, "store"));
  const options: MirrorOptions = {
    sources: [src],
    target: store,
    delete: true,
    statePath: join(w.dir, "s.db"),
  };
  assertEquals((await mirror(options)).transferred, 2);
  await Deno.remove(join(src, "a"));
  await Deno.remove(join(src, "d"), { recursive: true });
  await writeTree(src, { "a/b": "b", d: "now a file" });
  // The plan: delete a, upload a/b, upload d, delete d/x; a directory store
  // cannot hold a/b beside a, nor d beside d/x, until the deletes are done.
  const r = await mirror(options);
  assertEquals(r.failed, []);
  assertEquals([r.transferred, r.deleted], [2, 2]);
  assertEquals(await storeContents(store), { "a/b": "b", d: "now a file" });
  const again = await mirror(options);
  assertEquals([again.transferred, again.deleted, again.unchanged], [0, 0, 2]);
});
