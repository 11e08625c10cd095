/**
 * A file system that gives no `flock` / `LockFileEx` (Lustre mounted without
 * `-o flock`: ENOSYS; NFS without its lock daemon: ENOLCK; some SMB, FUSE
 * and VirtualBox shared folders: ENOTSUP; on Windows some network
 * redirectors: ERROR_NOT_SUPPORTED) made every write under vc's
 * cross-process file lock fail with a bare OS error naming no file:
 * `vc add` / `vc update` / `vc lock` (the manifest's lock), `vc sync` (its
 * journal) and `vc serve add-token`. The asset cache already goes on
 * without a lock there ("where the filesystem supports locks"); these now do
 * too, serialised within the process. Simulated on Linux by making
 * `Deno.FsFile`'s lock calls fail as such a file system makes them fail.
 */
import { assertEquals } from "./assert.ts";
import { withFileLock } from "../src/file_lock.ts";
import { readManifest, updateManifest } from "../src/versioned/manifest.ts";

// The errors Deno throws for a lock the file system cannot take.
const UNSUPPORTED: [string, () => Error][] = [
  ["ENOTSUP", () => new Deno.errors.NotSupported("Operation not supported (os error 95)")],
  ["ENOLCK", () => new Error("No locks available (os error 37)")],
  ["ENOSYS", () => new Error("Function not implemented (os error 38)")],
  ["Windows", () => new Error("The request is not supported. (os error 50)")],
];

async function withoutLocks<T>(make: () => Error, fn: () => Promise<T>): Promise<T> {
  const proto = Deno.FsFile.prototype;
  const original = { tryLockSync: proto.tryLockSync, lockSync: proto.lockSync };
  proto.tryLockSync = () => {
    throw make();
  };
  proto.lockSync = () => {
    throw make();
  };
  try {
    return await fn();
  } finally {
    Object.assign(proto, original);
  }
}

Deno.test("file lock: a file system without locks runs the work, in turn within the process", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_file_lock_unsupported_" });
  try {
    for (const [name, make] of UNSUPPORTED) {
      await withoutLocks(make, async () => {
        let inside = 0;
        let most = 0;
        // All settled before the directory goes, also when one fails (an
        // open still running would make the directory again).
        const results = await Promise.allSettled(
          [1, 2, 3].map((n) =>
            withFileLock(`${dir}/.${name}.lock`, async () => {
              most = Math.max(most, ++inside);
              await new Promise((r) => setTimeout(r, 2));
              inside--;
              return n;
            })
          ),
        );
        assertEquals(results.map((r) => r.status === "fulfilled" ? r.value : r.reason), [1, 2, 3]);
        assertEquals(most, 1, `${name}: still one at a time in this process`);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file lock: a manifest on a file system without locks is updated, not failed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_manifest_unsupported_lock_" });
  try {
    const file = `${dir}/m.json`;
    await withoutLocks(UNSUPPORTED[0]![1], async () => {
      const results = await Promise.allSettled([
        updateManifest(file, (m) => {
          m["/a.csv"] = "1.0.0";
        }),
        updateManifest(file, (m) => {
          m["/b.csv"] = "2.0.0";
        }),
      ]);
      assertEquals(results.map((r) => r.status === "rejected" ? r.reason : "ok"), ["ok", "ok"]);
    });
    assertEquals(await readManifest(file), { "/a.csv": "1.0.0", "/b.csv": "2.0.0" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file lock: another error of the lock call still fails, naming the lock file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_file_lock_other_error_" });
  try {
    const lock = `${dir}/.x.lock`;
    const error = await withoutLocks(
      () => new Deno.errors.PermissionDenied("Permission denied (os error 13)"),
      () => withFileLock(lock, () => "ran").then(() => undefined, (e: unknown) => e),
    );
    assertEquals(error instanceof Deno.errors.PermissionDenied, true, String(error));
    assertEquals((error as Error).message.includes(lock), true, (error as Error).message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
