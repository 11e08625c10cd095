/**
 * A sweep of dead downloads' debris whose look at one file fails for a
 * reason other than "not there" keeps what that file decides: the look is
 * not taken for a missing file. The failure is a real one for root too: the
 * sweep runs in a `deno` whose permissions exclude that one file
 * (`NotCapable`, as `EACCES` or `EIO` would be on a shared or failing disk).
 */
import { join } from "../src/path.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { isMissing, statusOrUndefinedSync } from "../src/file_status.ts";
import { tempDir } from "./versioned_helpers.ts";
import { exists } from "./path_exists.ts";

const SRC = new URL("../src", import.meta.url).pathname;

/** Runs `sweepDirectory(dataDir, metaDir)` in a `deno` that may not read `denied`. */
async function sweepWithout(dir: string, denied: string): Promise<void> {
  const script = join(dir, "sweep.ts");
  await Deno.writeTextFile(
    script,
    `import { sweepDirectory } from ${JSON.stringify(`file://${SRC}/cache/debris.ts`)};
     sweepDirectory(Deno.args[0], Deno.args[1]);`,
  );
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-lock",
      "--no-prompt",
      `--allow-read=${dir},${SRC}`,
      `--allow-write=${dir}`,
      `--deny-read=${denied}`,
      script,
      join(dir, "data"),
      join(dir, "meta"),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
}

/**
 * A kept partial download and its resume note in `dir`/data, the one named
 * `old` dated a minute back (past the grace of a download between its
 * create and its lock, well within the day a partial is kept); the sweep
 * then runs without read permission for the other.
 */
async function sweepPartialAndNote(dir: string, old: "partial" | "note") {
  const data = join(dir, "data");
  await Deno.mkdir(data);
  const partial = join(data, ".x.csv.vc-tmp-0-shared");
  const note = join(data, ".x.csv.vc-tmp-0-resume");
  await Deno.writeTextFile(partial, "first half of a large download");
  await Deno.writeTextFile(note, "{}");
  const minuteAgo = new Date(Date.now() - 60_000);
  await Deno.utime(old === "partial" ? partial : note, minuteAgo, minuteAgo);
  await sweepWithout(dir, old === "partial" ? note : partial);
  return { partial, note };
}

Deno.test("sweepDirectory keeps a partial download whose resume note it cannot look at", async () => {
  await using dir = await tempDir("vc_sweep_unlookable_note_");
  const { partial, note } = await sweepPartialAndNote(dir.path, "partial");
  assert(await exists(partial), "the partial its note keeps for a day was removed");
  assert(await exists(note));
});

Deno.test("sweepDirectory keeps a resume note whose partial it cannot look at", async () => {
  await using dir = await tempDir("vc_sweep_unlookable_partial_");
  const { partial, note } = await sweepPartialAndNote(dir.path, "note");
  assert(await exists(note), "the note was removed as if its partial were gone");
  assert(await exists(partial));
});

Deno.test("statusOrUndefinedSync: only a missing path is undefined; a path deeper than PATH_MAX to a real file throws", async () => {
  await using dir = await tempDir("vc_sweep_unlookable_status_");
  // A file that is there, reached through a short link, whose full path is
  // past PATH_MAX (4096): its look fails (ENAMETOOLONG) though it exists.
  // The directory's own path stays under PATH_MAX whatever the temp dir's
  // depth (a CI's deeper TMPDIR took it past, and its mkdir failed): names
  // of 200 until 256 short of it, then one that ends it 10 short.
  let long = dir.path;
  while (long.length < 4095 - 256) long = join(long, "d".repeat(200));
  long = join(long, "d".repeat(4095 - long.length - 1 - 10));
  await Deno.mkdir(long, { recursive: true });
  await Deno.symlink(long, join(dir.path, "short"));
  await Deno.writeTextFile(join(dir.path, "short", "f".repeat(200)), "kept");
  const error = assertThrows(() => statusOrUndefinedSync(join(long, "f".repeat(200))));
  assert(!isMissing(error), String(error));
  const file = join(dir.path, "file");
  await Deno.writeTextFile(file, "x");
  assertEquals(statusOrUndefinedSync(join(file, "below-a-file")), undefined, "NotADirectory");
  assertEquals(statusOrUndefinedSync(join(dir.path, "missing")), undefined);
});
