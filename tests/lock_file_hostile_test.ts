/**
 * The integrity lock file under hostile and broken shapes (issue 12, tried
 * as its class): duplicate entries, a lock file that cannot be read or
 * written around a publish, and `--frozen` on every command that reports on
 * or changes the lock.
 */
import { join } from "node:path";
import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { workspace, WrappingStore, writeFile } from "./versioned_helpers.ts";
import { InvalidInputError } from "../src/errors.ts";
import { defaultLockFile, parseLockFile } from "../src/versioned/lock_file.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import type { PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { multipartEtag, normalizeEtag } from "../src/hash.ts";

const GOOD = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
const EVIL = "a".repeat(64);
const entry = (sha: string) => `{"size": 6, "sha256": "${sha}"}`;

for (const [first, second] of [[GOOD, EVIL], [EVIL, GOOD]] as const) {
  Deno.test(`a lock file with one entry twice is refused (${first.slice(0, 4)} first)`, () => {
    const text = `{\n  "/a.txt@1.0.0": ${entry(first)},\n  "/a.txt@1.0.0": ${entry(second)}\n}\n`;
    const error = assertThrowsInvalid(() => parseLockFile(text, "l.json"));
    assertStringIncludes(error.message, "l.json");
    assertStringIncludes(error.message, '"/a.txt@1.0.0" appears more than once');
  });
}

Deno.test("a lock file with two spellings of one entry is refused", () => {
  const text = `{"/a.txt@1.0.0": ${entry(GOOD)}, "a.txt@1.0.0": ${entry(EVIL)}}`;
  const error = assertThrowsInvalid(() => parseLockFile(text, "l.json"));
  assertStringIncludes(error.message, "/a.txt@1.0.0");
});

Deno.test("duplicate detection ignores nested keys and escaped quotes", () => {
  const text = `{"/a\\"b.txt@1.0.0": ${entry(GOOD)}, "/c.txt@1.0.0": ${entry(GOOD)}}`;
  assertEquals(Object.keys(parseLockFile(text, "l.json")).length, 2);
});

function assertThrowsInvalid(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    assert(error instanceof InvalidInputError, String(error));
    return error;
  }
  throw new Error("expected an InvalidInputError");
}

Deno.test("add with a lock file that cannot be read publishes nothing", async () => {
  await using ws = await workspace();
  const lock = defaultLockFile(ws.manifest);
  await Deno.mkdir(lock);
  const file = await writeFile(join(ws.dir, "src"), "t.csv", "t\n");
  await assertRejects(() => ws.vc.add("/t.csv", file), Error, lock);
  // Nothing was published: the bucket directory was never even made.
  await assertRejects(() => Deno.stat(ws.bucket), Deno.errors.NotFound);
  await assertRejects(() => Deno.stat(ws.manifest), Deno.errors.NotFound);
});

Deno.test("a lock file that cannot be written after publishing leaves the manifest unchanged and says so", async () => {
  let lockPath = "";
  // Once the object is stored, the lock file turns into a directory.
  class BreakLockAfterPut extends WrappingStore {
    override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
      const result = await this.inner.put(key, body, options);
      await Deno.remove(lockPath).catch(() => {});
      await Deno.mkdir(lockPath, { recursive: true });
      return result;
    }
  }
  await using ws = await workspace({ wrap: (s) => new BreakLockAfterPut(s) });
  lockPath = defaultLockFile(ws.manifest);
  await Deno.writeTextFile(ws.manifest, '{\n    "/old.csv": "s3://b/old.csv"\n}\n');
  const before = await Deno.readTextFile(ws.manifest);
  const file = await writeFile(join(ws.dir, "src"), "t.csv", "t\n");
  const error = await assertRejects(() => ws.vc.add("/t.csv", file), Error, "published");
  assertStringIncludes(error.message, `lock file ${lockPath}`);
  assertStringIncludes(error.message, "was not changed");
  assertStringIncludes(error.message, '"/t.csv": "1.0.0"');
  // The manifest never pins a version the lock file does not.
  assertEquals(await Deno.readTextFile(ws.manifest), before);
});

Deno.test("frozen: verify and lock --check fail on unlocked entries; lock passes when complete", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_BUCKET: ws.bucket };
  await ws.write("a.txt", "hello\n");
  await ws.write("b.txt", "bye\n");
  assertEquals((await ws.run(["add", "/a.txt", "a.txt"], env)).code, 0);
  // The lock file is complete: frozen `vc lock` changes nothing and succeeds.
  const complete = await ws.run(["lock", "--frozen"], env);
  assertEquals(complete.code, 0, complete.stderr);
  // An entry added without its lock entry (by hand, or by another tool).
  const manifest = JSON.parse(await ws.read("versioned_assets.json"));
  await ws.run(["add", "/b.txt", "b.txt", "--lock", "other.lock.json"], env);
  await Deno.writeTextFile(
    ws.path("versioned_assets.json"),
    JSON.stringify({ ...manifest, "/b.txt": "1.0.0" }, null, 4) + "\n",
  );
  const lockBefore = await ws.read("versioned_assets.lock.json");
  const verify = await ws.run(["verify", "--frozen"], env);
  assertEquals(verify.code, 1, verify.stdout);
  assertStringIncludes(verify.stdout, "/b.txt@1.0.0 has no entry");
  const check = await ws.run(["lock", "--check"], { ...env, VC_FROZEN: "1" });
  assertEquals(check.code, 1, check.stdout);
  assertStringIncludes(check.stderr, "not locked");
  const fill = await ws.run(["lock", "--frozen"], env);
  assertEquals(fill.code, 1);
  assertStringIncludes(fill.stderr, "/b.txt@1.0.0");
  assertEquals(await ws.read("versioned_assets.lock.json"), lockBefore);
  // Without frozen mode, verify still reports the unlocked entry as ok.
  assertEquals((await ws.run(["verify"], env)).code, 0);
});

Deno.test("VersionedCache.verify in frozen mode reports an override as refused", async () => {
  await using ws = await workspace();
  const local = await writeFile(ws.dir, "o.csv", "o\n");
  await Deno.writeTextFile(ws.manifest, JSON.stringify({ "/o.csv": local }));
  await using frozen = new VersionedCache({
    manifest: ws.manifest,
    bucket: ws.bucket,
    cache: ws.cache,
    frozen: true,
  });
  const [result] = await frozen.verify();
  assertEquals(result?.ok, false);
  assertStringIncludes(result?.problem ?? "", "override");
});

Deno.test("add / update / path of an NFD spelling beside an NFC entry are refused, naming both", async () => {
  await using ws = await workspace();
  const nfc = "/caf\u00e9.txt";
  const nfd = "/cafe\u0301.txt";
  const file = await writeFile(join(ws.dir, "src"), "a.txt", "a\n");
  await ws.vc.add(nfc, file);
  const before = await Deno.readTextFile(ws.manifest);
  for (const op of [() => ws.vc.add(nfd, file), () => ws.vc.update(nfd, file, { patch: true })]) {
    const error = await assertRejects(op, InvalidInputError);
    assertStringIncludes(error.message, "\\u0301");
    assertStringIncludes(error.message, "\\u00e9");
  }
  await assertRejects(() => ws.vc.path(nfd), Error, "NFC vs NFD");
  assertEquals(await Deno.readTextFile(ws.manifest), before);
  assertEquals(await ws.vc.versions(nfd), []);
});

// The manifest check above cannot see a twin that only the bucket holds
// (published from another manifest): `add` started a second asset under the
// lookalike name, and `update` said "publish its first version with vc add".
Deno.test("add / update of a spelling whose NFC/NFD twin only the bucket holds are refused, naming both", async () => {
  await using ws = await workspace();
  const nfc = "/caf\u00e9.txt";
  const nfd = "/cafe\u0301.txt";
  const file = await writeFile(join(ws.dir, "src"), "a.txt", "a\n");
  await using other = new VersionedCache({
    manifest: join(ws.dir, "other.json"),
    bucket: ws.bucket,
    cache: ws.cache,
  });
  await other.add(nfd, file);
  await Deno.writeTextFile(ws.manifest, "{}\n");
  const add = await assertRejects(() => ws.vc.add(nfc, file), InvalidInputError);
  assertStringIncludes(add.message, '"/cafe\\u0301.txt", which looks the same');
  assertStringIncludes(add.message, "has 1.0.0");
  const update = await assertRejects(() => ws.vc.update(nfc, file, { patch: true }), Error);
  assertStringIncludes(update.message, '"/cafe\\u0301.txt", which looks the same');
  assertEquals(await Deno.readTextFile(ws.manifest), "{}\n");
  assertEquals(await ws.vc.versions(nfc), []);
  // A path all in ASCII has no other spelling: its `add` lists once, as before.
  await ws.vc.add("/plain.txt", file);
});

Deno.test("verify reports a locked entry whose object was replaced by one of another size, even uncached", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_BUCKET: ws.bucket };
  await ws.write("a.txt", "hello\n");
  assertEquals((await ws.run(["add", "/a.txt", "a.txt"], env)).code, 0);
  // Replaced in the bucket by someone with write access; nothing is cached.
  await Deno.writeTextFile(join(ws.bucketDir, "a.1.0.0.txt"), "evil content\n");
  const r = await ws.run(["verify"], env);
  assertEquals(r.code, 1, r.stdout);
  assertStringIncludes(r.stdout, "the lock file pins 6");
});

Deno.test("a lock file named like the manifest (or its lock guard) is refused before anything is published", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_BUCKET: ws.bucket };
  await ws.write("a.txt", "hello\n");
  await ws.write("versioned_assets.json", "{}\n");
  for (const lock of ["versioned_assets.json", ".versioned_assets.json.lock"]) {
    const r = await ws.run(["add", "/a.txt", "a.txt", "--lock", lock], env);
    assertEquals(r.code, 1, r.stderr);
    assertStringIncludes(r.stderr, `lock file ${ws.path(lock)} is the manifest`);
  }
  assertEquals(await ws.read("versioned_assets.json"), "{}\n");
  assertEquals([...Deno.readDirSync(ws.bucketDir)], []);
});

Deno.test("frozen sync with an unlocked entry copies nothing and names every unlocked entry", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_BUCKET: ws.bucket };
  for (const name of ["a", "b", "c"]) {
    await ws.write(`${name}.txt`, `${name}\n`);
    const lock = name === "a" ? [] : ["--lock", "elsewhere.lock.json"];
    assertEquals((await ws.run(["add", `/${name}.txt`, `${name}.txt`, ...lock], env)).code, 0);
  }
  const r = await ws.run(["sync", "out", "--frozen"], env);
  assertEquals(r.code, 1, r.stderr);
  assertStringIncludes(r.stderr, "/b.txt@1.0.0");
  assertStringIncludes(r.stderr, "/c.txt@1.0.0");
  await assertRejects(() => Deno.stat(ws.path("out")), Deno.errors.NotFound);
});

Deno.test({
  name: "rewriting the lock file keeps its mode, like the manifest's",
  ignore: Deno.build.os === "windows", // no POSIX modes
  async fn() {
    await using ws = await CliWorkspace.create();
    const env = { VC_BUCKET: ws.bucket };
    await ws.write("a.txt", "a\n");
    assertEquals((await ws.run(["add", "/a.txt", "a.txt"], env)).code, 0);
    await Deno.chmod(ws.path("versioned_assets.lock.json"), 0o600);
    assertEquals((await ws.run(["add", "/b.txt", "a.txt"], env)).code, 0);
    const info = await Deno.stat(ws.path("versioned_assets.lock.json"));
    assertEquals((info.mode ?? 0) & 0o777, 0o600);
  },
});

Deno.test("vc lock pins the bucket's content, not a cached copy edited in place", async () => {
  await using ws = await CliWorkspace.create();
  const env = { VC_BUCKET: ws.bucket };
  await ws.write("a.txt", "hello\n");
  assertEquals((await ws.run(["add", "/a.txt", "a.txt"], env)).code, 0);
  const pinned = await ws.read("versioned_assets.lock.json");
  await Deno.remove(ws.path("versioned_assets.lock.json"));
  const local = (await ws.run(["path", "/a.txt"], env)).stdout.trim();
  await Deno.chmod(local, 0o644);
  await Deno.writeTextFile(local, "jello\n"); // same size, edited in the cache
  assertEquals((await ws.run(["lock"], env)).code, 0);
  assertEquals(await ws.read("versioned_assets.lock.json"), pinned);
});

/**
 * A store whose HEADs give a multipart ETag (of the content as one part) and
 * no `vc-md5`, as for a file another tool uploaded in parts.
 */
class MultipartHeads extends WrappingStore {
  override async head(key: string, options?: { signal?: AbortSignal }) {
    const info = await this.inner.head(key, options);
    return info && { ...info, etag: `"${asOnePart(info.etag)}"`, metadata: {} };
  }
}

/** The multipart ETag of content uploaded as one part, from its MD5 ETag. */
function asOnePart(md5Etag: string): string {
  return multipartEtag([normalizeEtag(md5Etag)]);
}

Deno.test("verify checks a cached copy against the lock file's SHA-256 when the store has no MD5 for it", async () => {
  await using ws = await workspace({ wrap: (s) => new MultipartHeads(s) });
  const file = await writeFile(join(ws.dir, "src"), "m.bin", "multipart content\n");
  await ws.vc.add("/m.bin", file);
  const local = await ws.vc.path("/m.bin");
  assertEquals((await ws.vc.verify()).map((r) => r.ok), [true]);
  // Same size, other bytes: the lock file's SHA-256 tells, and so does the
  // object's multipart ETag (this store's GETs and puts say its MD5, so the
  // copy's record names another ETag and the copy is hashed for it).
  await Deno.chmod(local, 0o644);
  await Deno.writeTextFile(local, "multipart CONTENT\n");
  const [result] = await ws.vc.verify();
  assertEquals(result?.ok, false);
  assertMatch(result?.problem ?? "", /the lock file pins|does not have the multipart ETag/);
});

Deno.test("update refuses a file identical to the latest version by the lock file's SHA-256 when the store has no MD5", async () => {
  await using ws = await workspace({ wrap: (s) => new MultipartHeads(s) });
  const file = await writeFile(join(ws.dir, "src"), "m.bin", "the same content\n");
  await ws.vc.add("/m.bin", file);
  const before = await Deno.readTextFile(ws.manifest);
  const e = await assertRejects(
    () => ws.vc.update("/m.bin", file, { patch: true }),
    InvalidInputError,
  );
  assertStringIncludes(e.message, "is identical to /m.bin 1.0.0");
  assertEquals(await Deno.readTextFile(ws.manifest), before);
  // Other content still goes up.
  const other = await writeFile(join(ws.dir, "src2"), "m.bin", "other content\n");
  await ws.vc.update("/m.bin", other, { patch: true });
  assertStringIncludes(await Deno.readTextFile(ws.manifest), "1.0.1");
});
