/**
 * On a file system that gives no locks (ENOTSUP, ENOSYS, a persistent
 * ENOLCK) vc went on without its cross-process locks and said nothing: two
 * processes on one manifest could lose an update, two on one cache dir
 * download the same object twice, and the user never learnt why. It now
 * says so once per process, on the warning path (the cache's `warn`,
 * stderr for the rest), however many locks it takes.
 *
 * ENOLCK ("No locks available") was taken for "no locks here" at once, but
 * it also means a full lock table (NFS's lock manager out of locks): a
 * passing refusal on a file system that does lock. It is now tried again
 * for a while (VC's lock waits' backoff) before vc goes on without the lock;
 * a refusal that passes gives a real lock, and no warning.
 *
 * Simulated on Linux by making `Deno.FsFile`'s lock calls fail as such a
 * file system makes them fail (as in file_lock_unsupported_fs_test.ts).
 */
import { assert, assertEquals } from "./assert.ts";
import { withFileLock } from "../src/file_lock.ts";
import { acquireEntryLock } from "../src/cache/entry_lock.ts";
import { ENOLCK, lockableBy, refusingLocks } from "./refusing_locks.ts";

const ROOT = new URL("../", import.meta.url);
const MOD = new URL("mod.ts", ROOT).href;
const MANIFEST = new URL("src/versioned/manifest.ts", ROOT).href;

Deno.test("file lock: an ENOLCK that passes (a full lock table) is waited out, and the lock is real", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_file_lock_enolck_passing_" });
  try {
    const lock = `${dir}/.m.json.lock`;
    const heldElsewhere = await refusingLocks(
      3,
      ENOLCK,
      () => withFileLock(lock, () => !lockableBy(lock)),
    );
    assert(heldElsewhere, "the work ran holding the lock, not without it");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("entry lock: an ENOLCK that passes is waited out, and the download holds the entry's lock", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_entry_lock_enolck_passing_" });
  try {
    const held = await refusingLocks(3, ENOLCK, async () => {
      using lock = await acquireEntryLock(`${dir}/data/a.csv`, { keepPartial: true });
      return !lockableBy(lock.path);
    });
    assert(held, "another process would have been kept out");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// One process: several cached objects and manifest updates on a file
// system without locks. Prints what each call gave; stderr is the notice.
const SCRIPT = `
import { AssetCache } from ${JSON.stringify(MOD)};
import { updateManifest } from ${JSON.stringify(MANIFEST)};
const [dir, kind] = Deno.args;
const make = kind === "ENOLCK"
  ? () => new Error("No locks available (os error 37)")
  : () => new Deno.errors.NotSupported("Operation not supported (os error 95)");
Deno.FsFile.prototype.tryLockSync = () => { throw make(); };
Deno.FsFile.prototype.lockSync = () => { throw make(); };
await using cache = new AssetCache({ cacheDir: dir + "/cache", configPath: false, env: {} });
for (const name of ["a", "b", "c"]) {
  console.log(await Deno.readTextFile(await cache.cache("file://" + dir + "/src/" + name + ".txt")));
}
await updateManifest(dir + "/m.json", (m) => { m["/a.csv"] = "1.0.0"; });
await updateManifest(dir + "/m.json", (m) => { m["/b.csv"] = "2.0.0"; });
console.log(await Deno.readTextFile(dir + "/m.json").then((t) => Object.keys(JSON.parse(t)).length));
`;

for (const kind of ["ENOTSUP", "ENOLCK"]) {
  Deno.test(`no locks (${kind}): vc goes on and says so once per process, on stderr`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc_no_locks_notice_" });
    try {
      await Deno.mkdir(`${dir}/src`);
      for (const name of ["a", "b", "c"]) await Deno.writeTextFile(`${dir}/src/${name}.txt`, name);
      await Deno.writeTextFile(`${dir}/script.ts`, SCRIPT);
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-prompt", `${dir}/script.ts`, dir, kind],
        env: { NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assertEquals(out.code, 0, stderr);
      assertEquals(new TextDecoder().decode(out.stdout).trim().split("\n"), ["a", "b", "c", "2"]);
      const notices = stderr.split("\n").filter((l) => l.includes("gives no file locks"));
      assertEquals(notices.length, 1, stderr);
      const notice = notices[0]!;
      // Names where, what the system said, and what is at stake.
      assert(notice.includes(dir), notice);
      assert(notice.includes(kind === "ENOLCK" ? "No locks available" : "not supported"), notice);
      assert(notice.includes("other vc processes"), notice);
      if (kind === "ENOLCK") assert(notice.includes("lock table"), notice);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
