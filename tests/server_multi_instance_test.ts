/**
 * Several `vc serve` instances on one store and one token file: what one
 * instance or `vc serve add-token` does is seen by the others.
 */
import { writeFileAtomic } from "../src/atomic_write.ts";
import { withFileLock } from "../src/file_lock.ts";
import { sha256Hex } from "../src/hash.ts";
import { addToken, TokenFileAuth, tokenFileLockPath } from "../src/server/auth.ts";
import { Entries } from "../src/server/entries.ts";
import { HttpError } from "../src/server/http_error.ts";
import { serveCache } from "../src/server/serve.ts";
import { FsStore } from "../src/store/fs.ts";
import type { ObjectStore, PutBody, PutOptions } from "../src/store/types.ts";
import { ManualClock } from "../src/testing/mod.ts";
import { assertEquals, assertRejects } from "./assert.ts";
import { newCacheId, upload } from "./server_helpers.ts";
import { overriding } from "./overriding.ts";

Deno.test("serve add-token: an add racing another add of the token file keeps both tokens", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_add_token_race_" });
  try {
    const path = `${dir}/tokens.json`;
    await addToken(path, "alice");
    // Another add-token (another operator, another process), paused between
    // its read of the file and its write, holding the file's lock as
    // addToken does.
    let read!: () => void;
    const hasRead = new Promise<void>((r) => read = r);
    let release!: () => void;
    const gate = new Promise<void>((r) => release = r);
    const other = withFileLock(tokenFileLockPath(path), async () => {
      const doc = JSON.parse(await Deno.readTextFile(path)) as Record<string, string>;
      read();
      await gate;
      doc[sha256Hex("carol's token")] = "carol";
      await writeFileAtomic(path, new TextEncoder().encode(JSON.stringify(doc)));
    });
    await hasRead;
    // Without the lock, bob's add read the file carol's add had read and
    // one of the two writes replaced the other.
    const bob = addToken(path, "bob");
    release();
    const [, bobToken] = await Promise.all([other, bob]);
    const names = Object.values(JSON.parse(await Deno.readTextFile(path))).sort();
    assertEquals(names, ["alice", "bob", "carol"]);
    const auth = new TokenFileAuth({ path });
    assertEquals((await auth.authenticate(bobToken)).name, "bob");
    assertEquals((await auth.authenticate("carol's token")).name, "carol");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: two instances on one store and token file see each other's entries and new tokens", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_two_instances_" });
  const tokenFile = `${dir}/tokens.json`;
  const alice = await addToken(tokenFile, "alice");
  const stores = [new FsStore(`${dir}/store`), new FsStore(`${dir}/store`)];
  const services = await Promise.all(stores.map((store) =>
    serveCache({
      store,
      auth: new TokenFileAuth({ path: tokenFile }),
      port: 0,
      sweepIntervalMs: 0,
      log: () => {},
    })
  ));
  try {
    const [a, b] = services.map((s) => s.url) as [string, string];
    // An ID asked for on one instance takes an upload on the other.
    const { doc } = await newCacheId(a, alice, { k: 1 });
    const id = doc.cache_id as string;
    assertEquals((await upload(b, alice, id, "from b")).status, 200);
    const got = await fetch(`${a}/v1/cache/${id}`, { headers: { authorization: alice } });
    assertEquals(await got.text(), "from b");
    // A token added while both run works on both at their next request.
    const bob = await addToken(tokenFile, "bob");
    for (const url of [a, b]) assertEquals((await newCacheId(url, bob, { k: 1 })).status, 200);
    // Deleted on one: gone on the other.
    const del = await fetch(`${b}/v1/cache/${id}`, {
      method: "DELETE",
      headers: { authorization: alice },
    });
    assertEquals(del.status, 200);
    await del.body?.cancel();
    const after = await fetch(`${a}/v1/cache/${id}`, { headers: { authorization: alice } });
    assertEquals(after.status, 404);
    await after.body?.cancel();
  } finally {
    for (const s of services) await s.shutdown();
    for (const s of stores) await s.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: an entry expiring while an upload to it goes up is not removed by another instance's sweep", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_upload_expiry_" });
  const clock = new ManualClock();
  // The uploading instance's store tells when the file's bytes start going up.
  let started!: () => void;
  const dataPut = new Promise<void>((r) => started = r);
  const inner = new FsStore(`${dir}/store`);
  const put = (key: string, body: PutBody, options?: PutOptions) => {
    if (key.startsWith("data/")) started();
    return inner.put(key, body, options);
  };
  const watched: ObjectStore = overriding(inner, { put });
  const sweeper = new FsStore(`${dir}/store`);
  try {
    const options = { clock, placeholderTtlMs: 60_000, maxBytesPerIdentity: 1000 };
    const uploader = new Entries(watched, options);
    const other = new Entries(sweeper, options);
    const id = "a".repeat(128);
    await uploader.reserve(id, "token-file:alice");
    let send!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (send = c) });
    const upload = uploader.upload(id, "token-file:alice", { filename: "out.txt", body });
    await dataPut;
    send.enqueue(new TextEncoder().encode("result"));
    // The placeholder's 60 s pass while the bytes go up; another instance sweeps.
    clock.advance(120_000);
    const swept = await other.sweep();
    assertEquals(swept.removed, 0);
    send.close();
    const meta = await upload;
    assertEquals(meta.size, 6);
    const { meta: stored } = await other.open(id, "token-file:alice");
    assertEquals(stored.filename, "out.txt");
  } finally {
    await inner.close();
    await sweeper.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve: while the token file does not parse, each instance keeps the last version it read", async () => {
  // What the README says is per instance: a revocation that one instance
  // read before a broken edit holds there, and not on an instance that had
  // no request in between; fixing the file brings them together again.
  const dir = await Deno.makeTempDir({ prefix: "vc_token_file_last_good_" });
  try {
    const path = `${dir}/tokens.json`;
    const write = (doc: Record<string, string> | string, at: number) =>
      Deno.writeTextFile(path, typeof doc === "string" ? doc : JSON.stringify(doc)).then(() =>
        Deno.utime(path, at, at)
      );
    const alice = { [sha256Hex("tok-alice")]: "alice" };
    const mallory = { [sha256Hex("tok-mallory")]: "mallory" };
    const t0 = Date.now() / 1000 - 3600; // times past the re-read window of a fresh file
    await write({ ...alice, ...mallory }, t0);
    const errors: string[] = [];
    const [busy, idle] = [0, 1].map(() =>
      new TokenFileAuth({ path, onReloadError: (e) => errors.push(e.message) })
    ) as [TokenFileAuth, TokenFileAuth];
    for (const auth of [busy, idle]) {
      assertEquals((await auth.authenticate("tok-mallory")).name, "mallory");
    }
    await write(alice, t0 + 60); // mallory's line removed
    await assertRejects(() => busy.authenticate("tok-mallory"), HttpError, "invalid token");
    await write(`${JSON.stringify(alice).slice(0, -1)},}`, t0 + 120); // a broken edit
    await assertRejects(() => busy.authenticate("tok-mallory"), HttpError, "invalid token");
    assertEquals((await idle.authenticate("tok-mallory")).name, "mallory");
    assertEquals(errors.length, 2); // told once by each instance
    await write(alice, t0 + 180);
    for (const auth of [busy, idle]) {
      await assertRejects(() => auth.authenticate("tok-mallory"), HttpError, "invalid token");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
