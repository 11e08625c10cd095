import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import {
  IntegrityError,
  InvalidInputError,
  NotFoundError,
  PreconditionFailedError,
} from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import type { ObjectInfo, PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { readManifest } from "../src/versioned/manifest.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { workspace, WrappingStore, writeFile } from "./versioned_helpers.ts";

const read = (path: string) => Deno.readTextFile(path);

Deno.test("add → path → update → versions → ls → lsRemote → sync → verify on FsStore", async () => {
  await using ws = await workspace();
  const { vc, dir, bucket, manifest } = ws;
  const src = (name: string, text: string) => writeFile(join(dir, "src"), name, text);

  assertEquals(await vc.add("/foo/bar.csv", await src("bar.csv", "v1\n")), "1.0.0");
  assertEquals(await read(manifest), '{\n    "/foo/bar.csv": "1.0.0"\n}\n');
  assertEquals(await read(join(bucket, "foo/bar.1.0.0.csv")), "v1\n");
  assertEquals(await read(await vc.path("/foo/bar.csv")), "v1\n");
  assertEquals(await read(await vc.path("foo/bar.csv")), "v1\n");

  // Neighbours whose keys share the prefix `foo/bar.` must not count as versions.
  await vc.add("/foo/barbell.csv", await src("barbell.csv", "bb\n"), { version: "5.0.0" });
  await vc.add("/foo/bar.json", await src("bar.json", "{}\n"), { version: "0.1.0" });
  await vc.add("a/b.tar.gz", await src("b.tar.gz", "tgz"));

  const steps: Array<[{ patch: true } | { minor: true } | { major: true }, string, string]> = [
    [{ patch: true }, "1.0.0", "1.0.1"],
    [{ minor: true }, "1.0.1", "1.1.0"],
    [{ major: true }, "1.1.0", "2.0.0"],
  ];
  for (const [bump, from, to] of steps) {
    const file = await src("bar.csv", `v${to}\n`);
    assertEquals(await vc.update("/foo/bar.csv", file, bump), { path: "/foo/bar.csv", from, to });
    assertEquals((await readManifest(manifest))["/foo/bar.csv"], to);
    assertEquals(await read(await vc.path("/foo/bar.csv")), `v${to}\n`);
  }
  assertEquals(await vc.versions("/foo/bar.csv"), ["1.0.0", "1.0.1", "1.1.0", "2.0.0"]);
  assertEquals(await vc.versions("/foo/barbell.csv"), ["5.0.0"]);
  assertEquals(await read(await vc.path("/foo/bar.csv", "1.0.0")), "v1\n");
  assertEquals(await read(await vc.path("/foo/bar.csv", "1.1.0")), "v1.1.0\n");
  assertEquals(
    await vc.uri("/a/b.tar.gz"),
    `${pathToFileURL(bucket).href}/a/b.tar.1.0.0.gz`,
  );

  assertEquals(await vc.ls(), [
    { path: "/a/b.tar.gz", version: "1.0.0" },
    { path: "/foo/bar.csv", version: "2.0.0" },
    { path: "/foo/bar.json", version: "0.1.0" },
    { path: "/foo/barbell.csv", version: "5.0.0" },
  ]);
  assertEquals(await vc.lsRemote(), [
    { path: "/a/b.tar.gz", versions: ["1.0.0"] },
    { path: "/foo/bar.csv", versions: ["1.0.0", "1.0.1", "1.1.0", "2.0.0"] },
    { path: "/foo/bar.json", versions: ["0.1.0"] },
    { path: "/foo/barbell.csv", versions: ["5.0.0"] },
  ]);

  const dest = join(dir, "out");
  const progress: number[] = [];
  const copied = await vc.sync(dest, { onProgress: (p) => progress.push(p.done) });
  assertEquals(copied.map((c) => c.path), [
    "/a/b.tar.gz",
    "/foo/bar.csv",
    "/foo/bar.json",
    "/foo/barbell.csv",
  ]);
  assertEquals([...new Set(progress)].sort(), [0, 1, 2, 3, 4]); // 0: drawn at the start
  assertEquals(await read(join(dest, "foo/bar.csv")), "v2.0.0\n");
  assertEquals(await read(join(dest, "a/b.tar.gz")), "tgz");
  assertEquals(copied[1]?.dest, join(dest, "foo", "bar.csv"));

  const verified = await vc.verify();
  assertEquals(verified.length, 4);
  assert(verified.every((v) => v.ok && v.problem === undefined), JSON.stringify(verified));

  // A cached copy that no longer matches, and a remote object that vanished.
  await Deno.chmod(await vc.path("/foo/bar.csv"), 0o644).catch(() => {});
  await Deno.writeTextFile(await vc.path("/foo/bar.csv"), "tampered\n");
  await Deno.remove(join(bucket, "foo/bar.0.1.0.json"));
  const problems = Object.fromEntries(
    (await vc.verify()).filter((v) => !v.ok).map((v) => [v.path, v.problem]),
  );
  assertEquals(Object.keys(problems).sort(), ["/foo/bar.csv", "/foo/bar.json"]);
  assertStringIncludes(problems["/foo/bar.csv"] ?? "", "cached copy");
  assertStringIncludes(problems["/foo/bar.json"] ?? "", "does not exist");
});

Deno.test("overrides: relative, absolute and file:// values go through the asset cache", async () => {
  await using ws = await workspace();
  const { vc, dir, manifest } = ws;
  const rel = await writeFile(join(dir, "repo", "scratch"), "rel.csv", "rel\n");
  const abs = await writeFile(join(dir, "elsewhere"), "abs.csv", "abs\n");
  const other = await writeFile(join(dir, "otherbucket", "k"), "x.csv", "file uri\n");
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({
      "/dev/rel.csv": "./scratch/rel.csv",
      "/dev/abs.csv": abs,
      "/dev/uri.csv": pathToFileURL(other).href,
      "/dev/missing.csv": "./scratch/missing.csv",
    }),
  );
  assertEquals(await vc.path("/dev/rel.csv"), rel);
  assertEquals(await vc.path("/dev/abs.csv"), abs);
  assertEquals(await vc.uri("/dev/uri.csv"), pathToFileURL(other).href);
  const fetched = await vc.path("/dev/uri.csv");
  assertEquals(await read(fetched), "file uri\n");
  assert(fetched.startsWith(join(dir, "cache")), fetched);
  const e = await assertRejects(() => vc.path("/dev/missing.csv"), NotFoundError, "missing.csv");
  assertStringIncludes(e.message, "/dev/missing.csv");

  const verified = await vc.verify();
  assertEquals(verified.filter((v) => !v.ok).map((v) => v.path), ["/dev/missing.csv"]);

  // Publishing replaces an override with the new version.
  await vc.add("/dev/new.csv", rel);
  const published = await writeFile(dir, "pub.csv", "published\n");
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({ ...(await readManifest(manifest)), "/dev/new.csv": "./scratch/rel.csv" }),
  );
  const r = await vc.update("/dev/new.csv", published, { patch: true });
  assertEquals(r.to, "1.0.1");
  assertEquals((await readManifest(manifest))["/dev/new.csv"], "1.0.1");
  // Other entries survive the rewrite untouched.
  assertEquals((await readManifest(manifest))["/dev/rel.csv"], "./scratch/rel.csv");
});

Deno.test("add refuses paths already versioned, in the manifest or in the bucket", async () => {
  await using ws = await workspace();
  const { vc, dir, manifest } = ws;
  const file = await writeFile(dir, "a.csv", "a\n");
  await vc.add("/a.csv", file);
  const before = await read(manifest);

  const e1 = await assertRejects(() => vc.add("a.csv", file), InvalidInputError, "/a.csv");
  assertStringIncludes(e1.message, "already versioned at 1.0.0");
  assertStringIncludes(e1.message, "`update()`");

  // Someone else's checkout: the path is not in this manifest, but the bucket has it.
  const other = new VersionedCache({
    manifest: join(dir, "other.json"),
    bucket: ws.bucket,
    cache: ws.cache,
  });
  try {
    const changed = await writeFile(dir, "a2.csv", "another a\n");
    const e2 = await assertRejects(() => other.add("/a.csv", changed), InvalidInputError, "1.0.0");
    assertStringIncludes(e2.message, "already has versions");
    // The same file: 1.0.0 already holds it (an add whose manifest write never
    // happened), so it is pinned rather than refused.
    assertEquals(await other.add("/a.csv", file), "1.0.0");
    assertEquals(JSON.parse(await read(join(dir, "other.json"))), { "/a.csv": "1.0.0" });
  } finally {
    await other.close();
  }

  await assertRejects(
    () => vc.add("/b.csv", join(dir, "nope.csv")),
    NotFoundError,
    join(dir, "nope.csv"),
  );
  await assertRejects(() => vc.add("/b.csv", dir), InvalidInputError, "not a regular file");
  await assertRejects(() => vc.add("/../b.csv", file), InvalidInputError, "..");
  await assertRejects(() => vc.add("/b.csv", file, { version: "1.0" }), InvalidInputError, "1.0");
  assertEquals(await read(manifest), before);
});

Deno.test("update takes the latest version from the bucket, not a stale manifest", async () => {
  await using ws = await workspace();
  const { vc, dir, manifest } = ws;
  const file = await writeFile(dir, "a.csv", "a\n");
  await vc.add("/a.csv", file);
  await vc.add("/b.csv", file);

  // A second checkout with its own copy of the manifest, which goes stale.
  const staleManifest = join(dir, "stale.json");
  await Deno.copyFile(manifest, staleManifest);
  const stale = new VersionedCache({ manifest: staleManifest, bucket: ws.bucket, cache: ws.cache });
  try {
    await vc.update("/a.csv", await writeFile(dir, "a.csv", "a2\n"), { minor: true });
    const r = await stale.update("/a.csv", await writeFile(dir, "a.csv", "a3\n"), {
      patch: true,
    });
    // The stale checkout pinned 1.0.0: the result says so (the CLI prints it).
    assertEquals(r, { path: "/a.csv", from: "1.1.0", to: "1.1.1", pinned: "1.0.0" });
    assertEquals(await readManifest(staleManifest), { "/a.csv": "1.1.1", "/b.csv": "1.0.0" });

    const e = await assertRejects(
      () => stale.update("/a.csv", file, { version: "1.0.5" }),
      InvalidInputError,
      "1.0.5",
    );
    assertStringIncludes(e.message, "1.1.1");
    await assertRejects(
      () => stale.update("/a.csv", file, { patch: true, minor: true }),
      InvalidInputError,
      "exactly one",
    );
    const missing = await assertRejects(
      () => stale.update("/a.cvs", file, { patch: true }),
      NotFoundError,
      "/a.cvs",
    );
    assertStringIncludes(missing.message, "`add()`");
    assertStringIncludes(missing.message, "did you mean /a.csv");
    await assertRejects(
      () => stale.update("/a.csv", join(dir, "gone.csv"), { patch: true }),
      NotFoundError,
      "gone.csv",
    );
    assertEquals(await readManifest(staleManifest), { "/a.csv": "1.1.1", "/b.csv": "1.0.0" });
  } finally {
    await stale.close();
  }
  assertEquals(await vc.versions("/a.csv"), ["1.0.0", "1.1.0", "1.1.1"]);
});

/** Holds every put until `parties` puts have arrived (or a timeout), forcing a race. */
class BarrierStore extends WrappingStore {
  static waiting: Array<() => void> = [];
  static parties = 2;
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    await new Promise<void>((resolve) => {
      BarrierStore.waiting.push(resolve);
      if (BarrierStore.waiting.length >= BarrierStore.parties) {
        for (const release of BarrierStore.waiting.splice(0)) release();
      } else {
        // Bounded: never hang the suite if the other party does not come.
        setTimeout(resolve, 2000);
      }
    });
    return await super.put(key, body, options);
  }
}

Deno.test("two concurrent updates of one asset: exactly one wins, the other changes nothing", async () => {
  await using ws = await workspace();
  const { vc, dir, manifest, bucket } = ws;
  await vc.add("/race.csv", await writeFile(dir, "base.csv", "base\n"));
  const otherManifest = join(dir, "other.json");
  await Deno.copyFile(manifest, otherManifest);
  const before = await read(otherManifest);

  const open = (root: string) =>
    import("../src/store/open.ts").then(async (m) => new BarrierStore(await m.openStore(root)));
  const alice = new VersionedCache({ manifest, bucket, cache: ws.cache, openStore: open });
  const bob = new VersionedCache({
    manifest: otherManifest,
    bucket,
    cache: ws.cache,
    openStore: open,
  });
  try {
    const results = await Promise.allSettled([
      alice.update("/race.csv", await writeFile(dir, "alice.csv", "alice\n"), { patch: true }),
      bob.update("/race.csv", await writeFile(dir, "bob.csv", "bob\n"), { patch: true }),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    assertEquals(won.length, 1);
    assertEquals(lost.length, 1);
    const error = (lost[0] as PromiseRejectedResult).reason as Error;
    assert(error instanceof PreconditionFailedError, String(error));
    assertStringIncludes(error.message, "version 1.0.1 of /race.csv was published by someone else");
    assertStringIncludes(error.message, "run update again");

    assertEquals(await vc.versions("/race.csv"), ["1.0.0", "1.0.1"]);
    const aliceWon = results[0]?.status === "fulfilled";
    const winnerText = aliceWon ? "alice\n" : "bob\n";
    assertEquals(await read(join(bucket, "race.1.0.1.csv")), winnerText);
    assertEquals((await readManifest(aliceWon ? manifest : otherManifest))["/race.csv"], "1.0.1");
    assertEquals(await read(aliceWon ? otherManifest : manifest), before);

    // The loser runs update again and gets the next version.
    const loser = aliceWon ? bob : alice;
    BarrierStore.parties = 1;
    const retry = await loser.update(
      "/race.csv",
      await writeFile(dir, "again.csv", "again\n"),
      { patch: true },
    );
    // The loser's manifest still pins 1.0.0 (its update changed nothing).
    assertEquals(retry, { path: "/race.csv", from: "1.0.1", to: "1.0.2", pinned: "1.0.0" });
  } finally {
    BarrierStore.parties = 2;
    await alice.close();
    await bob.close();
  }
});

Deno.test("concurrent updates of different assets in one manifest keep both entries", async () => {
  await using ws = await workspace();
  const { vc, dir, manifest } = ws;
  const file = await writeFile(dir, "x.csv", "x\n");
  const paths = Array.from({ length: 6 }, (_, i) => `/many/f${i}.csv`);
  for (const p of paths) await vc.add(p, file);
  const changed = await writeFile(dir, "y.csv", "y\n");
  const results = await Promise.all(paths.map((p) => vc.update(p, changed, { minor: true })));
  assert(results.every((r) => r.to === "1.1.0"));
  const entries = await readManifest(manifest);
  assertEquals(paths.map((p) => entries[p]), paths.map(() => "1.1.0"));
});

/** Returns a wrong ETag from put, as a broken proxy or a corrupting store would. */
/** Stores other bytes than it was sent (its ETag, in answers and HEADs alike, says so). */
class WrongEtagStore extends WrappingStore {
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    await super.put(key, body, options);
    return { etag: md5Hex("something else") };
  }
  override async head(key: string): Promise<ObjectInfo | undefined> {
    const info = await super.head(key);
    return info && { ...info, etag: md5Hex("something else") };
  }
}

/** Pretends uploads were multipart: the ETag is not an MD5, so metadata decides. */
class MultipartStore extends WrappingStore {
  dropMetadata = false;
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    const { etag } = await super.put(key, body, options);
    return { etag: `${etag}-2` };
  }
  override async head(key: string): Promise<ObjectInfo | undefined> {
    const info = await super.head(key);
    if (info === undefined) return undefined;
    const multipart = { ...info, etag: `${info.etag}-2` };
    return this.dropMetadata ? { ...multipart, metadata: {} } : multipart;
  }
}

Deno.test("an upload that cannot be verified leaves the manifest unchanged", async () => {
  await using ws = await workspace({ wrap: (s) => new WrongEtagStore(s) });
  const { vc, dir, manifest, bucket } = ws;
  await Deno.writeTextFile(manifest, '{\n    "/keep.csv": "1.0.0"\n}\n');
  const before = await read(manifest);
  const file = await writeFile(dir, "a.csv", "a\n");
  const e = await assertRejects(() => vc.add("/a.csv", file), IntegrityError, "a.1.0.0.csv");
  assertStringIncludes(e.message, "was not changed");
  assertEquals(await read(manifest), before);
  // The unverified object was removed, so it does not become the "latest" version.
  await assertRejects(() => Deno.stat(join(bucket, "a.1.0.0.csv")), Deno.errors.NotFound);
});

Deno.test("multipart uploads are verified through the vc-md5 metadata", async () => {
  let store: MultipartStore | undefined;
  await using ws = await workspace({ wrap: (s) => (store = new MultipartStore(s)) });
  const { vc, dir, manifest } = ws;
  const file = await writeFile(dir, "a.csv", "a\n");
  assertEquals(await vc.add("/a.csv", file), "1.0.0");
  assert(store !== undefined);
  store.dropMetadata = true;
  const before = await read(manifest);
  await Deno.writeTextFile(file, "b\n");
  await assertRejects(
    () => vc.update("/a.csv", file, { patch: true }),
    IntegrityError,
    "vc-md5",
  );
  assertEquals(await read(manifest), before);
});

Deno.test("path() names unknown paths and missing versions helpfully", async () => {
  await using ws = await workspace();
  const { vc, dir, manifest } = ws;
  await assertRejects(() => vc.path("/a.csv"), NotFoundError, manifest);
  await vc.add("/data/table.csv", await writeFile(dir, "t.csv", "t\n"));
  const e = await assertRejects(() => vc.path("/data/tabel.csv"), NotFoundError, "/data/tabel.csv");
  assertStringIncludes(e.message, "did you mean /data/table.csv");
  const far = await assertRejects(() => vc.path("/zzz/qqq"), NotFoundError, "/zzz/qqq");
  assert(!far.message.includes("did you mean"), far.message);
  const v = await assertRejects(() => vc.path("/data/table.csv", "9.9.9"), NotFoundError, "9.9.9");
  assertStringIncludes(v.message, "available: 1.0.0");
  await assertRejects(() => vc.path("/data/table.csv", "9.9"), InvalidInputError, "9.9");
});

/** `readManifest` wrapped to count the reads a VersionedCache makes. */
function countingReader(): {
  reads: () => number;
  read: (file: string) => Promise<Record<string, string>>;
} {
  let count = 0;
  return {
    reads: () => count,
    read: (file) => {
      count++;
      return readManifest(file);
    },
  };
}

Deno.test("lookups parse an unchanged manifest once, and see every change to it", async () => {
  await using ws = await workspace();
  const { dir, manifest } = ws;
  await ws.vc.add("/a.csv", await writeFile(dir, "a.csv", "a1\n"));
  const counter = countingReader();
  const vc = new VersionedCache({
    manifest,
    bucket: ws.bucket,
    cache: ws.cache,
    readManifest: counter.read,
  });
  try {
    // Repeated and concurrent lookups of an unchanged file: one read.
    const local = await vc.path("/a.csv");
    for (let i = 0; i < 5; i++) assertEquals(await vc.path("a.csv"), local);
    await Promise.all(Array.from({ length: 20 }, () => vc.resolve("/a.csv")));
    assertEquals((await vc.ls()).length, 1);
    await assertRejects(() => vc.resolve("/b.csv"), NotFoundError, "/b.csv");
    assertEquals(counter.reads(), 1);

    // Another writer changing the size (an in-place edit) is seen.
    await Deno.writeTextFile(manifest, JSON.stringify({ "/a.csv": "1.0.0", "/b.csv": "1.0.0" }));
    assertEquals((await vc.resolve("/b.csv")).version, "1.0.0");
    assertEquals(counter.reads(), 2);

    // Our own update (1.0.0 → 1.0.1: same size, maybe the same millisecond) is seen.
    await Deno.writeTextFile(manifest, JSON.stringify({ "/a.csv": "1.0.0" }));
    await Deno.writeTextFile(join(dir, "a.csv"), "a2\n");
    await vc.update("/a.csv", join(dir, "a.csv"), { patch: true });
    assertEquals((await vc.resolve("/a.csv")).version, "1.0.1");
    assertEquals(await read(await vc.path("/a.csv")), "a2\n");
    // One read after the update (publishing re-reads on its own, not through the reader).
    assertEquals(counter.reads(), 3);
  } finally {
    await vc.close();
  }
});

Deno.test({
  name: "a same-size, same-mtime manifest replaced by rename (another `vc update`) is seen",
  ignore: Deno.build.os === "windows", // no inode numbers there
  fn: async () => {
    await using ws = await workspace();
    const { dir, manifest } = ws;
    await Deno.writeTextFile(manifest, JSON.stringify({ "/a.csv": "1.0.0" }));
    const counter = countingReader();
    const vc = new VersionedCache({
      manifest,
      bucket: ws.bucket,
      cache: ws.cache,
      readManifest: counter.read,
    });
    try {
      assertEquals((await vc.resolve("/a.csv")).version, "1.0.0");
      const before = await Deno.stat(manifest);
      const temp = join(dir, "repo", ".manifest.json.tmp");
      await Deno.writeTextFile(temp, JSON.stringify({ "/a.csv": "2.0.0" }));
      await Deno.utime(temp, before.atime ?? new Date(), before.mtime ?? new Date());
      await Deno.rename(temp, manifest);
      const after = await Deno.stat(manifest);
      // Only the inode tells the two files apart.
      assertEquals([after.size, after.mtime?.getTime()], [before.size, before.mtime?.getTime()]);
      assertEquals((await vc.resolve("/a.csv")).version, "2.0.0");
      assertEquals(counter.reads(), 2);
    } finally {
      await vc.close();
    }
  },
});

Deno.test("a manifest that cannot be read is read again on the next lookup", async () => {
  await using ws = await workspace();
  const counter = countingReader();
  const vc = new VersionedCache({
    manifest: ws.manifest,
    bucket: ws.bucket,
    cache: ws.cache,
    readManifest: counter.read,
  });
  try {
    await assertRejects(() => vc.resolve("/a.csv"), NotFoundError, "does not exist");
    await Deno.writeTextFile(ws.manifest, '{"/a.csv": "1.2"}');
    await assertRejects(() => vc.resolve("/a.csv"), InvalidInputError, "1.2");
    await assertRejects(() => vc.resolve("/a.csv"), InvalidInputError, "1.2");
    await Deno.writeTextFile(ws.manifest, '{"/a.csv": "1.2.3"}');
    assertEquals((await vc.resolve("/a.csv")).version, "1.2.3");
    assertEquals(counter.reads(), 4);
  } finally {
    await vc.close();
  }
});

Deno.test("resolveAll resolves every entry from one read, like resolve does one by one", async () => {
  await using ws = await workspace();
  const override = await writeFile(ws.dir, "dev.csv", "dev\n");
  await Deno.writeTextFile(
    ws.manifest,
    JSON.stringify({ "/b.csv": "1.2.5", "a/x.tar.gz": "2.0.0", "/dev.csv": override }),
  );
  const counter = countingReader();
  const vc = new VersionedCache({
    manifest: ws.manifest,
    bucket: ws.bucket,
    cache: ws.cache,
    readManifest: counter.read,
  });
  try {
    const all = await vc.resolveAll();
    assertEquals(all.map((a) => a.path), ["/a/x.tar.gz", "/b.csv", "/dev.csv"]);
    assertEquals(all, await Promise.all(all.map((a) => vc.resolve(a.path))));
    assertEquals(all[2], { path: "/dev.csv", uri: override, immutable: false });
    assertEquals(counter.reads(), 1);
  } finally {
    await vc.close();
  }
});

Deno.test("paths with %, ? and # resolve to their own objects in a file:// bucket", async () => {
  await using ws = await workspace();
  const { vc, dir } = ws;
  const src = (name: string, text: string) => writeFile(join(dir, "src"), name, text);
  // `%41` must not be decoded into `A`, and `?`/`#` must not cut the path short.
  await vc.add("/rA.txt", await src("a.txt", "content of rA"));
  await vc.add("/r%41.txt", await src("b.txt", "content of r%41"));
  await vc.add("/what?#.txt", await src("c.txt", "question"));
  assertEquals(await read(await vc.path("/rA.txt")), "content of rA");
  assertEquals(await read(await vc.path("/r%41.txt")), "content of r%41");
  assertEquals(await read(await vc.path("/what?#.txt")), "question");
  assert((await vc.verify()).every((r) => r.ok));
});

Deno.test("add creates a missing manifest directory; an impossible one fails before publishing", async () => {
  await using ws = await workspace();
  const { dir, bucket, cache } = ws;
  const file = await writeFile(join(dir, "src"), "t.csv", "t\n");
  const nested = join(dir, "new", "deeper", "m.json");
  await using vc = new VersionedCache({ manifest: nested, bucket, cache });
  assertEquals(await vc.add("/t.csv", file), "1.0.0");
  assertEquals(await read(nested), '{\n    "/t.csv": "1.0.0"\n}\n');

  // The manifest's "directory" is a regular file: nothing may be published.
  const blocked = join(dir, "src", "t.csv", "m.json");
  await using vc2 = new VersionedCache({ manifest: blocked, bucket, cache });
  await assertRejects(() => vc2.add("/u.csv", file), Error, blocked);
  assertEquals(await vc2.versions("/u.csv"), []);
});

Deno.test("a manifest that cannot be written after publishing says what was published", async () => {
  let manifestPath = "";
  // Once the object is stored, the manifest path turns into a directory.
  class BreakManifestAfterPut extends WrappingStore {
    override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
      const result = await this.inner.put(key, body, options);
      await Deno.remove(manifestPath).catch(() => {});
      await Deno.mkdir(manifestPath, { recursive: true });
      return result;
    }
  }
  await using ws = await workspace({ wrap: (s) => new BreakManifestAfterPut(s) });
  manifestPath = ws.manifest;
  const file = await writeFile(join(ws.dir, "src"), "t.csv", "t\n");
  const error = await assertRejects(() => ws.vc.add("/t.csv", file), Error, "published");
  assertStringIncludes(error.message, '"/t.csv": "1.0.0"');
  assertStringIncludes(error.message, "by hand");
  assertEquals(await read(join(ws.bucket, "t.1.0.0.csv")), "t\n");
});

Deno.test("versions / lsRemote on a directory bucket list keys without hashing any file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bucket = join(dir, "bucket");
    await Deno.mkdir(join(bucket, "data"), { recursive: true });
    // Copied in by hand: no metadata sidecars, so an ETag would need a full read.
    for (const v of ["1.0.0", "1.2.0", "2.0.0"]) {
      await Deno.writeTextFile(join(bucket, "data", `t.${v}.csv`), `v${v}\n`);
    }
    const before = [...Deno.readDirSync(join(bucket, "data"))].map((e) => e.name).sort();
    const vc = new VersionedCache({ manifest: join(dir, "m.json"), bucket });
    try {
      assertEquals(await vc.versions("/data/t.csv"), ["1.0.0", "1.2.0", "2.0.0"]);
      assertEquals(await vc.lsRemote(), [{
        path: "/data/t.csv",
        versions: ["1.0.0", "1.2.0", "2.0.0"],
      }]);
    } finally {
      await vc.close();
    }
    // Hashing a file writes its sidecar: none may have appeared.
    const after = [...Deno.readDirSync(join(bucket, "data"))].map((e) => e.name).sort();
    assertEquals(after, before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a multipart publish that finds another writer's upload at its key leaves it and fails as lost", async () => {
  // A store whose create-only write is not atomic (moto's multipart
  // complete): another process's upload of the same version lands between
  // ours and our check. Ours must not delete it: its manifest may name it.
  let deletes = 0;
  const theirs = new TextEncoder().encode("their version\n");
  class RacedStore extends WrappingStore {
    override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
      const ours = await this.inner.put(key, body, options);
      if (!key.endsWith(".1.1.0.csv")) return ours;
      await this.inner.put(key, theirs, { metadata: { "vc-md5": md5Hex(theirs) } });
      return { etag: `"${"0".repeat(32)}-2"` }; // what our multipart complete answered
    }
    override delete(keys: readonly string[]): Promise<void> {
      deletes++;
      return this.inner.delete(keys);
    }
  }
  await using ws = await workspace({ wrap: (s) => new RacedStore(s) });
  await ws.vc.add("/a.csv", await writeFile(ws.dir, "a.csv", "mine 1\n"));
  await writeFile(ws.dir, "a.csv", "mine 2\n");
  const e = await assertRejects(
    () => ws.vc.update("/a.csv", join(ws.dir, "a.csv"), { minor: true }),
    PreconditionFailedError,
  );
  assertStringIncludes(e.message, "published by someone else meanwhile");
  assertEquals(deletes, 0);
  assertEquals(await Deno.readFile(join(ws.bucket, "a.1.1.0.csv")), theirs);
  assertEquals((await readManifest(ws.manifest))["/a.csv"], "1.0.0");
});

Deno.test("ls-remote sorts paths as ls does (by UTF-8 bytes: a character beyond the BMP after U+FFFD)", async () => {
  await using ws = await workspace();
  const { vc, dir } = ws;
  const file = await writeFile(dir, "x.csv", "x\n");
  // UTF-16 order puts U+1F600 (a surrogate pair, 0xD83D...) before U+FF5E; UTF-8 after it.
  for (const p of ["/\u{1F600}.csv", "/\uFF5E.csv", "/a.csv"]) await vc.add(p, file);
  const remote = (await vc.lsRemote()).map((e) => e.path);
  const local = (await vc.ls()).map((e) => e.path);
  assertEquals(remote, ["/a.csv", "/\uFF5E.csv", "/\u{1F600}.csv"]);
  assertEquals(remote, local);
});
