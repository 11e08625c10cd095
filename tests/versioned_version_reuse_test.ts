/**
 * A version number names one content for good. A version deleted from the
 * bucket after it was pinned and locked must not be published again with
 * other bytes (caches, lock files and checkouts elsewhere keep the old one),
 * and a pin never replaces a lock entry that names other content, nor pins a
 * key that another upload replaced (a store whose create-only multipart
 * write is not atomic, as moto's).
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import type {
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  PutResult,
} from "../src/store/types.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { workspace, WrappingStore, writeFile } from "./versioned_helpers.ts";
import { exists } from "./path_exists.ts";

async function readJson(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(path));
}

/**
 * Publishes `/t.csv` through `vc` as "one" and then, bumped by `bump`, as
 * "two", and deletes that second version's object from `ws`'s bucket: the
 * file published from.
 */
async function secondDeleted(
  ws: { dir: string; bucket: string },
  vc: VersionedCache,
  bump: { patch: true } | { minor: true },
): Promise<string> {
  const file = await writeFile(ws.dir, "t.csv", "one\n");
  await vc.add("/t.csv", file);
  await writeFile(ws.dir, "t.csv", "two\n");
  const { to } = await vc.update("/t.csv", file, bump);
  await Deno.remove(join(ws.bucket, `t.${to}.csv`));
  return file;
}

Deno.test("update does not publish again a pinned, locked version deleted from the bucket", async () => {
  await using ws = await workspace();
  const lockFile = ws.vc.lockFile;
  assert(lockFile !== undefined);
  const file = await secondDeleted(ws, ws.vc, { patch: true });
  const locksBefore = await readJson(lockFile);

  await writeFile(ws.dir, "t.csv", "three\n");
  await assertRejects(
    () => ws.vc.update("/t.csv", file, { patch: true }),
    InvalidInputError,
    "publishing 1.0.1 again would give one version two contents",
  );
  assert(!(await exists(join(ws.bucket, "t.1.0.1.csv"))), "nothing published");
  assertEquals(await readJson(lockFile), locksBefore);
  assertEquals(await readJson(ws.manifest), { "/t.csv": "1.0.1" });
  // The way out the message names.
  const r = await ws.vc.update("/t.csv", file, { version: "1.0.2" });
  assertEquals(r.to, "1.0.2");
});

Deno.test("update below a pinned version deleted from the bucket does not claim it was published", async () => {
  await using ws = await workspace();
  const file = await secondDeleted(ws, ws.vc, { minor: true });

  // --patch from the bucket's latest 1.0.0 gives 1.0.1, below the pinned 1.1.0:
  // no one knows 1.0.1 was ever published, only that it may have been.
  await writeFile(ws.dir, "t.csv", "three\n");
  const error = await assertRejects(
    () => ws.vc.update("/t.csv", file, { patch: true }),
    InvalidInputError,
  );
  assert(!error.message.includes("1.0.1 was published before"), error.message);
  assert(error.message.includes("/t.csv 1.0.1 may have been published before"), error.message);
  assert(error.message.includes(`${ws.manifest} pins 1.1.0, which is not in`), error.message);
  assert(error.message.includes("the version option 1.1.1"), error.message);
  assert(!(await exists(join(ws.bucket, "t.1.0.1.csv"))), "nothing published");
});

Deno.test("update may publish a deleted version again with the very bytes the lock file locks", async () => {
  await using ws = await workspace();
  const file = await secondDeleted(ws, ws.vc, { patch: true });
  const r = await ws.vc.update("/t.csv", file, { patch: true });
  assertEquals(r.to, "1.0.1");
  assertEquals(await Deno.readTextFile(join(ws.bucket, "t.1.0.1.csv")), "two\n");
});

Deno.test("update without a lock file does not publish again the version the manifest pins", async () => {
  await using ws = await workspace();
  const vc = new VersionedCache({ manifest: ws.manifest, bucket: ws.bucket, lock: false });
  try {
    const file = await secondDeleted(ws, vc, { patch: true });
    await writeFile(ws.dir, "t.csv", "three\n");
    await assertRejects(
      () => vc.update("/t.csv", file, { patch: true }),
      InvalidInputError,
      "pins 1.0.1",
    );
    assert(!(await exists(join(ws.bucket, "t.1.0.1.csv"))), "nothing published");
    assertEquals(await readJson(ws.manifest), { "/t.csv": "1.0.1" });
  } finally {
    await vc.close();
  }
});

Deno.test("add does not publish a version the shared lock file locks with other content", async () => {
  await using ws = await workspace();
  const lockFile = ws.vc.lockFile;
  assert(lockFile !== undefined);
  // Another manifest sharing this lock file published 1.0.0, since deleted.
  await Deno.writeTextFile(
    lockFile,
    `{\n  "/t.csv@1.0.0": {"size": 4, "sha256": "${"0".repeat(64)}"}\n}\n`,
  );
  const file = await writeFile(ws.dir, "t.csv", "new\n");
  await assertRejects(
    () => ws.vc.add("/t.csv", file),
    InvalidInputError,
    "the version option 1.0.1",
  );
  assert(!(await exists(join(ws.bucket, "t.1.0.0.csv"))), "nothing published");
  assert(!(await exists(ws.manifest)));
});

Deno.test("a pin never replaces a lock entry another process wrote meanwhile", async () => {
  await using ws = await workspace();
  const lockFile = ws.vc.lockFile;
  assert(lockFile !== undefined);
  const file = await writeFile(ws.dir, "t.csv", "one\n");
  await ws.vc.add("/t.csv", file);
  await writeFile(ws.dir, "t.csv", "two\n");
  const other = { size: 4, sha256: "f".repeat(64) };
  let written = false;
  await assertRejects(
    () =>
      ws.vc.update("/t.csv", file, { patch: true }, {
        // Another process's pin of 1.0.1 lands while this upload runs.
        onProgress: () => {
          if (written) return;
          written = true;
          const locks = JSON.parse(Deno.readTextFileSync(lockFile));
          locks["/t.csv@1.0.1"] = other;
          Deno.writeTextFileSync(lockFile, JSON.stringify(locks));
        },
      }),
    InvalidInputError,
    "already locks other content for /t.csv 1.0.1",
  );
  assert(written);
  assertEquals((await readJson(lockFile))["/t.csv@1.0.1"], other);
  assertEquals(await readJson(ws.manifest), { "/t.csv": "1.0.0" });
});

/**
 * A store whose ETags look multipart, and where another writer's upload
 * replaces the key right after this one was verified (moto completes a
 * second create-only multipart upload over the first).
 */
class ReplacedAfterVerify extends WrappingStore {
  headsAfterPut = -1;
  constructor(inner: ObjectStore) {
    super(inner);
  }
  override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
    const r = await this.inner.put(key, body, options);
    this.headsAfterPut = 0;
    return { ...r, etag: `${r.etag}-2` };
  }
  override async head(key: string, options?: { signal?: AbortSignal }) {
    if (this.headsAfterPut >= 0 && ++this.headsAfterPut === 2) {
      // The verification was the first look; the other writer lands now.
      await this.inner.put(key, new TextEncoder().encode("other!\n"), {
        metadata: { "vc-md5": "0".repeat(32) },
      });
    }
    const info: ObjectInfo | undefined = await this.inner.head(key, options);
    return info === undefined ? undefined : { ...info, etag: `${info.etag}-2` };
  }
}

Deno.test("a pin refuses a key another multipart upload replaced after verification", async () => {
  let wrapped: ReplacedAfterVerify | undefined;
  await using ws = await workspace({
    wrap: (inner) => (wrapped = new ReplacedAfterVerify(inner)),
  });
  const lockFile = ws.vc.lockFile;
  assert(lockFile !== undefined);
  const file = await writeFile(ws.dir, "t.csv", "one\n");
  await assertRejects(
    () => ws.vc.add("/t.csv", file),
    InvalidInputError,
    "another upload replaced this one",
  );
  assert(wrapped !== undefined && wrapped.headsAfterPut >= 2);
  assert(!(await exists(ws.manifest)), "nothing pinned");
  assert(!(await exists(lockFile)), "nothing locked");
});

Deno.test("update below a locked version deleted from the bucket is refused as a pinned one is", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "t.csv", "one\n");
  await ws.vc.add("/t.csv", file);
  await writeFile(ws.dir, "t.csv", "two\n");
  await ws.vc.update("/t.csv", file, { patch: true });
  await writeFile(ws.dir, "t.csv", "three\n");
  await ws.vc.update("/t.csv", file, { patch: true });
  // 1.0.2 is gone, and so is its pin (an older manifest checked out): the
  // lock file alone remembers that the path went past 1.0.1.
  await Deno.remove(join(ws.bucket, "t.1.0.1.csv"));
  await Deno.remove(join(ws.bucket, "t.1.0.2.csv"));
  await Deno.writeTextFile(ws.manifest, '{"/t.csv": "1.0.0"}\n');
  await Deno.writeTextFile(
    ws.vc.lockFile!,
    JSON.stringify(
      Object.fromEntries(
        Object.entries(await readJson(ws.vc.lockFile!)).filter(([k]) => k !== "/t.csv@1.0.1"),
      ),
    ),
  );

  await writeFile(ws.dir, "t.csv", "four\n");
  const error = await assertRejects(
    () => ws.vc.update("/t.csv", file, { patch: true }),
    InvalidInputError,
  );
  assert(error.message.includes("/t.csv 1.0.1 may have been published before"), error.message);
  assert(error.message.includes("locks 1.0.2"), error.message);
  assert(error.message.includes("the version option 1.0.3"), error.message);
  assert(!(await exists(join(ws.bucket, "t.1.0.1.csv"))), "nothing published");
  assertEquals(await readJson(ws.manifest), { "/t.csv": "1.0.0" });
  assertEquals((await ws.vc.update("/t.csv", file, { version: "1.0.3" })).to, "1.0.3");
});

Deno.test("a lock file shared with another bucket's manifest is named as the cause of a refusal", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "data.csv", "from bx\n");
  await ws.vc.add("/data.csv", file);
  // A second manifest, of another bucket, that shares the first one's lock file.
  const other = new VersionedCache({
    manifest: join(ws.dir, "repo", "by.json"),
    bucket: join(ws.dir, "by"),
    lock: ws.vc.lockFile!,
    cache: ws.cache,
  });
  try {
    await writeFile(ws.dir, "data.csv", "from by\n");
    const error = await assertRejects(() => other.add("/data.csv", file), InvalidInputError);
    assert(
      error.message.includes("or to another bucket whose manifest shares this lock file"),
      error.message,
    );
    assert(error.message.includes("the version option 1.0.1"), error.message);
    assert(!(await exists(join(ws.dir, "by", "data.1.0.0.csv"))), "nothing published");
  } finally {
    await other.close();
  }
});
