/**
 * A directory store's `get` of a small file looks at metadata four times:
 * the name (`lstat`, before the open), the handle (`fstat`, the file opened
 * is the one looked at), the name again after a whole read (a write during
 * it), and the sidecar (`stat`, which most objects do not have). Each was an
 * asynchronous Deno op: a promise and a hand-off to a blocking thread per
 * look, several times the look itself on the main thread (a cold copy of a
 * thousand small `file://` sources: 15 → 7 `futex` calls a file). They are
 * synchronous now. What the looks are for still holds: a FIFO, a directory
 * and a link at the name, a sidecar that is no regular file, and other
 * errors than "missing" (thrown, with a stack).
 */
import { join } from "../src/path.ts";
import { FsStore } from "../src/store/fs.ts";
import { sidecarName } from "../src/store/fs_layout.ts";
import { statusOrUndefinedSync } from "../src/file_status.ts";
import { SETTLE_MS } from "../src/store/fs_validator.ts";
import { IsDirectoryError, NotFoundError } from "../src/errors.ts";
import { md5Hex } from "../src/hash.ts";
import { assert, assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

/** Counts the asynchronous metadata looks (`Deno.lstat`, `Deno.stat`, a handle's `stat()`) while `fn` runs. */
async function asyncLooks<T>(fn: () => Promise<T>): Promise<{ value: T; looks: string[] }> {
  const lstat = Deno.lstat;
  const stat = Deno.stat;
  const fileStat = Deno.FsFile.prototype.stat;
  const looks: string[] = [];
  Deno.lstat = (p: string | URL) => {
    looks.push(`lstat ${p}`);
    return lstat(p);
  };
  Deno.stat = (p: string | URL) => {
    looks.push(`stat ${p}`);
    return stat(p);
  };
  Deno.FsFile.prototype.stat = function (this: Deno.FsFile) {
    looks.push("handle stat");
    return fileStat.call(this);
  };
  try {
    return { value: await fn(), looks };
  } finally {
    Deno.lstat = lstat;
    Deno.stat = stat;
    Deno.FsFile.prototype.stat = fileStat;
  }
}

/** Writes `bytes` at `path`, modified (and changed) long enough ago to be settled. */
async function settledFile(path: string, bytes: Uint8Array): Promise<void> {
  await Deno.writeFile(path, bytes);
  const past = new Date(Date.now() - 10 * SETTLE_MS);
  await Deno.utime(path, past, past);
}

Deno.test("FsStore.get of small settled files: no asynchronous lstat, stat or handle stat; bytes and ETag as before", async () => {
  await using dir = await tempDir("vc_fs_get_metadata_looks_");
  const bodies = [1, 2, 3].map((n) => new Uint8Array(4096).fill(n));
  for (const [i, b] of bodies.entries()) await settledFile(join(dir.path, `f${i}.bin`), b);
  // ctime is not settable: wait until it is out of the racy window, as a
  // source copied minutes ago is.
  await new Promise((r) => setTimeout(r, SETTLE_MS + 1200));
  // As a cache reads a `file://` source: its sidecars read, never written.
  const store = new FsStore(dir.path, { sidecars: "read-only" });
  // Its root is resolved (and looked at) once, by the first call.
  await (await store.get("f0.bin")).body.cancel();
  const { value: got, looks } = await asyncLooks(() =>
    Promise.all(bodies.map((_, i) => store.get(`f${i}.bin`)))
  );
  for (const [i, r] of got.entries()) {
    assertEquals(new Uint8Array(await new Response(r.body).arrayBuffer()), bodies[i]);
    assertEquals(r.info.etag, md5Hex(bodies[i]!));
    assert(r.bytes !== undefined, "read whole, once");
  }
  assertEquals(looks, []);
});

Deno.test(
  "FsStore.get: a FIFO, a directory and a link at the name, and a FIFO for a sidecar, still refused or skipped",
  {
    ignore: Deno.build.os === "windows", // no FIFOs (nor links for every user) there
  },
  async () => {
    await using dir = await tempDir("vc_fs_get_metadata_looks_");
    const root = join(dir.path, "root");
    await Deno.mkdir(root);
    const outside = join(dir.path, "secret.txt");
    await Deno.writeTextFile(outside, "not in the store");
    await Deno.symlink(outside, join(root, "link.txt"));
    await Deno.mkdir(join(root, "sub"));
    const mkfifo = new Deno.Command("mkfifo", {
      args: [join(root, "pipe"), join(root, sidecarName("a.txt"))],
    });
    assert((await mkfifo.output()).success);
    await Deno.writeTextFile(join(root, "a.txt"), "hello");
    const store = new FsStore(root);
    await assertRejects(() => store.get("link.txt"), NotFoundError);
    await assertRejects(() => store.get("pipe"), NotFoundError);
    await assertRejects(() => store.get("sub"), IsDirectoryError);
    // Its sidecar is a FIFO: never opened (the get would hang), taken for none.
    const a = await store.get("a.txt");
    assertEquals(await new Response(a.body).text(), "hello");
    assertEquals(a.info.etag, md5Hex(new TextEncoder().encode("hello")));
  },
);

Deno.test("statusOrUndefinedSync: missing is undefined, a link looked at or followed; other errors thrown with a stack", async () => {
  await using dir = await tempDir("vc_fs_get_metadata_looks_");
  const file = join(dir.path, "f");
  await Deno.writeTextFile(file, "x");
  await Deno.symlink(file, join(dir.path, "link"));
  await Deno.symlink(join(dir.path, "gone"), join(dir.path, "dangling"));
  assertEquals(statusOrUndefinedSync(join(dir.path, "missing")), undefined);
  assertEquals(statusOrUndefinedSync(join(file, "below-a-file")), undefined, "NotADirectory");
  assertEquals(statusOrUndefinedSync(join(dir.path, "dangling"), { follow: true }), undefined);
  assert(statusOrUndefinedSync(join(dir.path, "dangling"))?.isSymlink);
  assert(statusOrUndefinedSync(join(dir.path, "link"))?.isSymlink);
  assert(statusOrUndefinedSync(join(dir.path, "link"), { follow: true })?.isFile);
  const tooLong = join(dir.path, "x".repeat(300));
  const error = assertThrows(function lookingAtTooLongName() {
    statusOrUndefinedSync(tooLong);
  });
  assert(error instanceof Error && /too long/i.test(error.message), String(error));
  assert(error.stack?.includes("lookingAtTooLongName"), `a stack of its own: ${error.stack}`);
});
