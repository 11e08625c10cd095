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
import { dirname } from "node:path";
import { assert, assertEquals } from "./assert.ts";

const MOD = new URL("../src/mirror/mod.ts", import.meta.url).href;
const VC = new URL("../mod.ts", import.meta.url).href;

/**
 * Runs `script` in a child process, its argument a fresh temp dir (named
 * with `prefix`) holding `files` (relative path → text), removed afterwards:
 * the child's exit code, stdout and stderr, and the dir's path.
 */
async function run(prefix: string, script: string, files: Record<string, string> = {}) {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    for (const [rel, text] of Object.entries(files)) {
      await Deno.mkdir(dirname(`${dir}/${rel}`), { recursive: true });
      await Deno.writeTextFile(`${dir}/${rel}`, text);
    }
    await Deno.writeTextFile(`${dir}/script.ts`, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--no-prompt", `${dir}/script.ts`, dir],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decode = (b: Uint8Array) => new TextDecoder().decode(b);
    return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr), dir };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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
  const out = await run("vc_no_locks_notice_library_", SCRIPT, { "src/a.txt": "a" });
  assertEquals(out.code, 0, out.stderr);
  const got = JSON.parse(out.stdout) as { transferred: number; told: string[] };
  assertEquals(got.transferred, 1);
  assertEquals(got.told.length, 1, JSON.stringify(got.told));
  assert(got.told[0]!.includes("gives no file locks"), got.told[0]);
  assert(got.told[0]!.includes(`${out.dir}/cache`), got.told[0]);
  assertEquals(out.stderr, "", "the library printed nothing itself");
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
  const out = await run("vc_no_locks_notice_library_add_", ADD_SCRIPT, { "a.txt": "a" });
  assertEquals(out.code, 0, out.stderr);
  const got = JSON.parse(out.stdout) as { pinned: Record<string, string>; told: string[] };
  assertEquals(Object.keys(got.pinned), ["/a.txt"]);
  const notices = got.told.filter((m) => m.includes("gives no file locks"));
  assertEquals(notices.length, 1, JSON.stringify(got.told));
  assertEquals(out.stderr, "", "the library printed nothing itself");
});

// The library calls with no owning object to carry a hook: each takes its
// own onWarning. Lock calls fail as on a file system without locks.
const NO_LOCKS = `
Deno.FsFile.prototype.tryLockSync = () => {
  throw new Deno.errors.NotSupported("Operation not supported (os error 95)");
};
Deno.FsFile.prototype.lockSync = Deno.FsFile.prototype.tryLockSync;
const told = [];
const onWarning = (w) => told.push(w.message);
const [dir] = Deno.args;
`;
const MANIFEST_MOD = new URL("../src/versioned/mod.ts", import.meta.url).href;
const SERVER_MOD = new URL("../src/server/mod.ts", import.meta.url).href;
const FILE_LOCK = new URL("../src/file_lock.ts", import.meta.url).href;

const STANDALONE: Array<[string, string]> = [
  [
    "updateManifest",
    `import { updateManifest } from ${JSON.stringify(MANIFEST_MOD)};${NO_LOCKS}
await updateManifest(dir + "/m.json", (m) => { m["/a.csv"] = "1.0.0"; }, { onWarning });
console.log(JSON.stringify({ told }));`,
  ],
  [
    "withManifestLock",
    `import { withManifestLock } from ${JSON.stringify(MANIFEST_MOD)};${NO_LOCKS}
await withManifestLock(dir + "/m.json", () => {}, { onWarning });
console.log(JSON.stringify({ told }));`,
  ],
  [
    "withLockFileWrite",
    `import { withLockFileWrite } from ${JSON.stringify(MANIFEST_MOD)};${NO_LOCKS}
await withLockFileWrite(dir + "/m.json", dir + "/m.lock.json", () => {}, { onWarning });
console.log(JSON.stringify({ told }));`,
  ],
  [
    "addToken",
    `import { addToken } from ${JSON.stringify(SERVER_MOD)};${NO_LOCKS}
await addToken(dir + "/tokens.json", "alice", { onWarning });
console.log(JSON.stringify({ told }));`,
  ],
  [
    "withFileLock",
    `import { withFileLock } from ${JSON.stringify(FILE_LOCK)};${NO_LOCKS}
await withFileLock(dir + "/.x.lock", () => {}, { onWarning });
console.log(JSON.stringify({ told }));`,
  ],
];

for (const [name, script] of STANDALONE) {
  Deno.test(`${name}: the no-locks notice goes to its onWarning, not to stderr`, async () => {
    const out = await run("vc_no_locks_notice_library_standalone_", script);
    assertEquals(out.code, 0, out.stderr);
    const got = JSON.parse(out.stdout) as { told: string[] };
    assertEquals(got.told.length, 1, JSON.stringify(got.told));
    assert(got.told[0]!.includes("gives no file locks"), got.told[0]);
    assertEquals(out.stderr, "", "the library printed nothing itself");
  });
}

Deno.test("addToken: without onWarning the no-locks notice is a warning line on stderr", async () => {
  const out = await run(
    "vc_no_locks_notice_library_default_",
    `import { addToken } from ${JSON.stringify(SERVER_MOD)};${NO_LOCKS}
await addToken(dir + "/tokens.json", "alice");
console.log(JSON.stringify({ told }));`,
  );
  assertEquals(out.code, 0, out.stderr);
  assert(out.stderr.startsWith("warning: the file system of "), out.stderr);
  assert(out.stderr.includes("gives no file locks"), out.stderr);
});

// `vc serve add-token` gives the notice to its own warning line: `vc:
// warning:` on its stderr, nothing with --quiet (it was the library's bare
// `warning:` line on the process's stderr either way). Each in its own
// process: the notice is said once per process.
const CLI = new URL("../cli.ts", import.meta.url).href;
const ADD_TOKEN_CLI = `
import { memoryIo, runCli } from ${JSON.stringify(CLI)};${NO_LOCKS}
const io = memoryIo();
const code = await runCli(["serve", "add-token", "alice", "--token-file", dir + "/t.json", "--quiet"], io);
console.log(JSON.stringify({ code, stderr: io.stderr() }));
`;

Deno.test("vc serve add-token --quiet: the no-locks notice is not printed", async () => {
  const out = await run("vc_no_locks_notice_add_token_cli_", ADD_TOKEN_CLI);
  assertEquals(out.code, 0, out.stderr);
  const got = JSON.parse(out.stdout) as { code: number; stderr: string };
  assertEquals(got, { code: 0, stderr: "" });
  assertEquals(out.stderr, "", "the library printed nothing itself");
});

Deno.test("vc serve add-token: without --quiet the no-locks notice is a vc: warning: line", async () => {
  const out = await run(
    "vc_no_locks_notice_add_token_cli_",
    `import { memoryIo, runCli } from ${JSON.stringify(CLI)};${NO_LOCKS}
const io = memoryIo();
const code = await runCli(["serve", "add-token", "bob", "--token-file", dir + "/t.json"], io);
console.log(JSON.stringify({ code, stderr: io.stderr() }));`,
  );
  assertEquals(out.code, 0, out.stderr);
  const got = JSON.parse(out.stdout) as { code: number; stderr: string };
  assertEquals(got.code, 0, got.stderr);
  assertEquals(out.stderr, "", "the library printed nothing itself");
  assert(got.stderr.startsWith("vc: warning: the file system of "), got.stderr);
  assert(got.stderr.includes("gives no file locks"), got.stderr);
});

// The caller's onWarning, by the library's rule for callbacks: one whose
// promise rejects is dropped (it ended the process as an unhandled
// rejection), one that throws fails the call with a CallbackError.
const ERRORS = new URL("../src/errors.ts", import.meta.url).href;

Deno.test("updateManifest: an onWarning whose promise rejects does not end the process", async () => {
  const out = await run(
    "vc_no_locks_notice_library_callback_",
    `import { updateManifest } from ${JSON.stringify(MANIFEST_MOD)};${NO_LOCKS}
await updateManifest(dir + "/m.json", (m) => { m["/a.csv"] = "1.0.0"; }, {
  onWarning: async () => { throw new Error("async boom"); },
});
await new Promise((r) => setTimeout(r, 10));
console.log(JSON.stringify(Object.keys(JSON.parse(await Deno.readTextFile(dir + "/m.json")))));`,
  );
  assertEquals(out.code, 0, out.stderr);
  assertEquals(JSON.parse(out.stdout), ["/a.csv"]);
  assertEquals(out.stderr, "");
});

Deno.test("addToken: an onWarning that throws fails the call with a CallbackError", async () => {
  const out = await run(
    "vc_no_locks_notice_library_callback_",
    `import { addToken } from ${JSON.stringify(SERVER_MOD)};
import { CallbackError } from ${JSON.stringify(ERRORS)};${NO_LOCKS}
const error = await addToken(dir + "/t.json", "alice", {
  onWarning: () => { throw new Error("boom"); },
}).then(() => undefined, (e) => e);
console.log(JSON.stringify({
  callback: error instanceof CallbackError,
  cause: error?.cause?.message,
}));`,
  );
  assertEquals(out.code, 0, out.stderr);
  assertEquals(JSON.parse(out.stdout), { callback: true, cause: "boom" });
});
