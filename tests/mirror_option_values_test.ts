/**
 * `mirror()`'s switches as a script without type checking passes them (an
 * environment variable's text, a flag's "no"): `delete: "false"` was truthy
 * and deleted the target's extra objects; `dryRun: "no"` changed nothing.
 * Each is refused, naming the option, before anything is opened.
 */
import { join } from "node:path";
import { assertEquals, assertRejects } from "./assert.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { watchMirror } from "../src/mirror/watch.ts";
import { InvalidInputError } from "../src/errors.ts";

// deno-lint-ignore no-explicit-any
const bad = (v: unknown): any => v;

Deno.test("mirror: a switch that is not a boolean is refused and nothing is deleted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-mirror-opt-" });
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "a.txt"), "a");
    await Deno.mkdir(join(dir, "bucket"));
    await Deno.writeTextFile(join(dir, "bucket", "keep.txt"), "k");
    const base = {
      sources: [join(dir, "src")],
      target: `file://${join(dir, "bucket")}`,
      cacheDir: join(dir, "cache"),
    };
    for (const name of ["delete", "dryRun", "checksum"]) {
      for (const value of ["false", "no", 1, 0, null]) {
        await assertRejects(
          () => mirror(bad({ ...base, [name]: value })),
          InvalidInputError,
          `mirror(): the option ${name} must be true or false`,
        );
      }
    }
    await assertRejects(
      () => mirror(bad({ ...base, walkThread: "yes" })),
      InvalidInputError,
      'mirror(): the option walkThread must be true, false or "auto"',
    );
    // A string is quoted: `got 4` read as a valid count.
    await assertRejects(
      () => mirror(bad({ ...base, concurrency: "4" })),
      InvalidInputError,
      'concurrency must be a positive integer, got "4"',
    );
    assertEquals(await Deno.readTextFile(join(dir, "bucket", "keep.txt")), "k");
    const report = await mirror({ ...base, delete: false, dryRun: false, walkThread: "auto" });
    assertEquals(report.transferred, 1);
    assertEquals(await Deno.readTextFile(join(dir, "bucket", "keep.txt")), "k");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mirror: a racyWindowMs that is no number of ms, and watchMirror's bad debounceMs, are refused", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-mirror-opt-" });
  try {
    await Deno.mkdir(join(dir, "src"));
    await Deno.writeTextFile(join(dir, "src", "a.txt"), "a");
    const base = {
      sources: [join(dir, "src")],
      target: `file://${join(dir, "bucket")}`,
      cacheDir: join(dir, "cache"),
    };
    // NaN or a negative window made no file racy: an edit the state then missed.
    for (const value of [NaN, -1, "2000", null]) {
      await assertRejects(
        () => mirror(bad({ ...base, racyWindowMs: value })),
        InvalidInputError,
        "mirror(): the option racyWindowMs must be a number of ms",
      );
    }
    for (const value of [NaN, -1, Infinity, "1000"]) {
      await assertRejects(
        () => watchMirror(bad({ ...base, debounceMs: value, signal: AbortSignal.abort() })),
        InvalidInputError,
        "watchMirror: the option debounceMs must be a number of ms",
      );
    }
    const report = await mirror({ ...base, racyWindowMs: 0 });
    assertEquals(report.transferred, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
