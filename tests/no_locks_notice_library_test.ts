/**
 * The "file system gives no file locks" notice is the caller's to show:
 * library code does not print (the CLI does). `mirror()` wrote it to stderr
 * itself, with no way for a library user to take it; it now goes to the
 * mirror's `onWarning` (stderr only when none is given, as `AssetCache`'s
 * warnings do). Run in a child process: the notice is said once per
 * process. Lock calls fail as on a file system without locks (as in
 * mirror_state_unsupported_lock_test.ts).
 */
import { assert, assertEquals } from "./assert.ts";

const MOD = new URL("../src/mirror/mod.ts", import.meta.url).href;

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
