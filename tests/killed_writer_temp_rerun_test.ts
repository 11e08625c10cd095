/**
 * A writer killed (`kill -9`) mid-file leaves its temp file
 * (`.<name>.vc-tmp-<pid>-<random>`, holding bytes) beside a user's file: the
 * manifest, the lock file, a store → local mirror's target, a serve token
 * file, `vc sync`'s record file in DEST. The release
 * binary cannot look at `/proc` to tell its pid is dead, and the sweep
 * waited for the temp file to be 5 s old before it believed the missing
 * lock, so a re-run right after the kill (a CI retry, an impatient user)
 * succeeded and left the dead writer's temp file in the project, for
 * `git status` to show (a token file's and a sync record file's were never
 * removed: their writers neither locked their temp file nor swept beside
 * the file). Writers
 * of these files lock their temp file before
 * their first byte: an unlocked one holding bytes is a dead writer's, at any
 * age. Each test kills a real writer process, then runs the real `vc` (the
 * release permissions) at once.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

const ATOMIC_WRITE = new URL("../src/atomic_write.ts", import.meta.url).href;

/**
 * Starts a process that writes `dest` as vc's writers do (a temp file beside
 * it, locked, then bytes), kills it with SIGKILL mid-file, and returns the
 * temp file's name it left.
 */
async function killMidWrite(dest: string): Promise<string> {
  const script = `
    import { AtomicFile } from ${JSON.stringify(ATOMIC_WRITE)};
    const temp = AtomicFile.create(${JSON.stringify(dest)});
    temp.file.tryLockSync(true);
    await temp.file.write(new TextEncoder().encode("{\\n  \\"/half"));
    console.log(temp.path);
    await new Promise(() => setInterval(() => {}, 1000));`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  child.kill("SIGKILL");
  await reader.cancel();
  const status = await child.status;
  assertEquals(status.signal, "SIGKILL");
  const path = out.trim();
  assert(path.length > 0, "the writer printed no temp path");
  return path.slice(path.lastIndexOf("/") + 1);
}

/** vc's temp files in `dir`. */
function tempsIn(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n.includes(".vc-tmp-"))
    .sort();
}

Deno.test("vc add right after a kill -9 mid manifest write removes the dead writer's temp file", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    await Deno.writeTextFile(join(dir, "b.csv"), "b\n");
    ok(await vc(["add", "/a.csv", "a.csv"]), "first add");
    const left = [
      await killMidWrite(join(dir, "versioned_assets.json")),
      await killMidWrite(join(dir, "versioned_assets.lock.json")),
    ];
    assertEquals(tempsIn(dir), left.sort());
    ok(await vc(["add", "/b.csv", "b.csv"]), "add after the kill");
    assertEquals(tempsIn(dir), []);
    const manifest = JSON.parse(await Deno.readTextFile(join(dir, "versioned_assets.json")));
    assertEquals(manifest, { "/a.csv": "1.0.0", "/b.csv": "1.0.0" });
  });
});

Deno.test("vc mirror store → local right after a kill -9 mid-file removes the dead download's temp file", async () => {
  await withWorkspace(async (dir, vc) => {
    const source = join(dir, "source");
    const target = join(dir, "target");
    await Deno.mkdir(source);
    await Deno.mkdir(target);
    await Deno.writeTextFile(join(source, "a.txt"), "whole a\n");
    await Deno.writeTextFile(join(source, "b.txt"), "whole b\n");
    const left = await killMidWrite(join(target, "a.txt"));
    assertEquals(tempsIn(target), [left]);
    ok(await vc(["mirror", pathToFileURL(source).href, target]), "mirror after the kill");
    assertEquals([...Deno.readDirSync(target)].map((e) => e.name).sort(), ["a.txt", "b.txt"]);
    assertEquals(await Deno.readTextFile(join(target, "a.txt")), "whole a\n");
  });
});

Deno.test("vc serve add-token after a kill -9 mid token-file write removes the dead writer's temp file", async () => {
  await withWorkspace(async (dir, vc) => {
    const tokens = join(dir, "tokens.json");
    ok(await vc(["serve", "add-token", "alice", "--token-file", tokens]), "first add-token");
    const left = await killMidWrite(tokens);
    assertEquals(tempsIn(dir), [left]);
    ok(await vc(["serve", "add-token", "bob", "--token-file", tokens]), "add-token after the kill");
    assertEquals(tempsIn(dir), []);
    const names = Object.values(JSON.parse(await Deno.readTextFile(tokens))).sort();
    assertEquals(names, ["alice", "bob"]);
    if (Deno.build.os !== "windows") assertEquals((await Deno.stat(tokens)).mode! & 0o777, 0o600);
  });
});

Deno.test("vc sync after a kill -9 mid record-file write removes the dead writer's temp file from DEST", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "a.csv"), "a\n");
    ok(await vc(["add", "/a.csv", "a.csv"]), "add");
    const out = join(dir, "out");
    ok(await vc(["sync", out]), "first sync");
    const left = await killMidWrite(join(out, ".vc-sync.json"));
    assertEquals(tempsIn(out), [left]);
    ok(await vc(["sync", out]), "sync after the kill");
    assertEquals(tempsIn(out), []);
    assertEquals(await Deno.readTextFile(join(out, "a.csv")), "a\n");
  });
});

Deno.test("a fresh unlocked temp file counts as a dead writer's only when it holds bytes and is no shared one", async () => {
  const { isAbandonedTemp } = await import("../src/abandoned_temp.ts");
  const dir = await Deno.makeTempDir({ prefix: "vc_killed_writer_temp_" });
  try {
    const check = (name: string, text: string) => {
      const path = join(dir, name);
      Deno.writeTextFileSync(path, text);
      const info = Deno.lstatSync(path);
      const options = { lockedBeforeWrite: true, size: info.size };
      return isAbandonedTemp(path, info.mtime, Date.now(), 3600_000, options);
    };
    // Live pid (this process), so only the lock and the bytes tell.
    assertEquals(check(`.a.vc-tmp-${Deno.pid}-abcdefgh`, "half"), true);
    // Empty: maybe a writer between its create and its lock.
    assertEquals(check(`.b.vc-tmp-${Deno.pid}-abcdefgh`, ""), false);
    // A shared temp file is opened with its bytes before it is locked.
    assertEquals(check(".c.vc-tmp-0-shared", "partial"), false);
    // Without the sweep's word that its writers lock first: the grace stands.
    const path = join(dir, `.d.vc-tmp-${Deno.pid}-abcdefgh`);
    Deno.writeTextFileSync(path, "half");
    assertEquals(isAbandonedTemp(path, Deno.lstatSync(path).mtime, Date.now(), 3600_000), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
