/**
 * The "file system gives no file locks" notice is the caller's to show:
 * library code does not print (the CLI does). `mirror()` wrote it to stderr
 * itself, and `VersionedCache.add`'s manifest and lock-file write (as
 * `sync`'s records and `lock`'s write) did through `withFileLock`'s
 * default, with no way for a library user to take it; it now goes to the
 * call's `onWarning` (stderr only when none is given, as `AssetCache`'s
 * warnings do). Run in a child process: the notice is said once per
 * process. Lock calls fail as on a file system without locks (as in
 * mirror_state_unsupported_lock_test.ts).
 */
import { assert, assertEquals } from "./assert.ts";

const MOD = new URL("../src/mirror/mod.ts", import.meta.url).href;
const VC = new URL("../mod.ts", import.meta.url).href;

/** Runs `script` with `dir`: its exit code, stdout and stderr. */
async function run(dir: string, script: string) {
  await Deno.writeTextFile(`${dir}/script.ts`, script);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-prompt", `${dir}/script.ts`, dir],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

const SCRIPT = `
import { mirror } from ${JSON.stringify(MOD)};
const [dir] = Deno.args;
Deno.FsFile.prototype.tryLockSync = () => {
  throw new Deno.errors.NotSupported("Operation not supported (os error 45)");
};
const told = [];
const report = await mirror({
  sources: [dir + "/src"],
  target: "file://" + dir + "/store",
  cacheDir: dir + "/cache",
  racyWindowMs: 0,
  onWarning: (w) => told.push(w.message),
});
console.log(JSON.stringify({ transferred: report.transferred, told }));
`;

Deno.test("mirror: the no-locks notice goes to the caller's onWarning, not to stderr", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_no_locks_notice_library_" });
  try {
    await Deno.mkdir(`${dir}/src`);
    await Deno.writeTextFile(`${dir}/src/a.txt`, "a");
    await Deno.writeTextFile(`${dir}/script.ts`, SCRIPT);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-prompt", `${dir}/script.ts`, dir],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, stderr);
    const got = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      transferred: number;
      told: string[];
    };
    assertEquals(got.transferred, 1);
    assertEquals(got.told.length, 1, JSON.stringify(got.told));
    assert(got.told[0]!.includes("gives no file locks"), got.told[0]);
    assert(got.told[0]!.includes(`${dir}/cache`), got.told[0]);
    assertEquals(stderr, "", "the library printed nothing itself");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// A pin's manifest and lock-file write (`add`) on a file system without
// locks: the notice goes to the call's onWarning.
const ADD_SCRIPT = `
import { AssetCache, VersionedCache } from ${JSON.stringify(VC)};
const [dir] = Deno.args;
Deno.FsFile.prototype.tryLockSync = () => {
  throw new Deno.errors.NotSupported("Operation not supported (os error 95)");
};
Deno.FsFile.prototype.lockSync = Deno.FsFile.prototype.tryLockSync;
const told = [];
await using cache = new AssetCache({
  cacheDir: dir + "/cache",
  configPath: false,
  env: {},
  onWarning: (w) => told.push(w.message),
});
await using vc = new VersionedCache({
  manifest: dir + "/m.json",
  lock: dir + "/m.lock.json",
  bucket: dir + "/bucket",
  cache,
});
await vc.add("/a.txt", dir + "/a.txt", { onWarning: (w) => told.push(w.message) });
console.log(JSON.stringify({ pinned: JSON.parse(await Deno.readTextFile(dir + "/m.json")), told }));
`;

Deno.test("VersionedCache.add: the no-locks notice goes to the caller's onWarning, not to stderr", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_no_locks_notice_library_add_" });
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    const out = await run(dir, ADD_SCRIPT);
    assertEquals(out.code, 0, out.stderr);
    const got = JSON.parse(out.stdout) as { pinned: Record<string, string>; told: string[] };
    assertEquals(Object.keys(got.pinned), ["/a.txt"]);
    const notices = got.told.filter((m) => m.includes("gives no file locks"));
    assertEquals(notices.length, 1, JSON.stringify(got.told));
    assertEquals(out.stderr, "", "the library printed nothing itself");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
