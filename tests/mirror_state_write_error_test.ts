/**
 * A write to the mirror's state file that fails (a full disk, the file
 * locked by something else) names the file, and the CLI says what happened
 * rather than "internal error: Error: database or disk is full".
 */
import { join } from "node:path";
import { MirrorState } from "../src/mirror/state.ts";
import { VcError } from "../src/errors.ts";
import { errorMessage } from "../src/cli/errors.ts";
import { assert, assertStringIncludes, assertThrows } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

Deno.test("mirror state: a write that fails names the state file, not an internal error", async () => {
  await using w = await tempDir();
  const statePath = join(w.dir, "s.db");
  const state = new MirrorState(statePath);
  const { DatabaseSync } = await import("node:sqlite");
  const other = new DatabaseSync(statePath);
  try {
    other.exec("PRAGMA busy_timeout = 0");
    other.exec("BEGIN EXCLUSIVE"); // someone else holds the file
    const row = { size: 1, mtimeMs: 1, ctimeMs: 1, ino: 1, md5: "m", etag: "e" };
    const e = assertThrows(() => {
      state.set("a", row);
      state.flush();
    });
    assert(e instanceof VcError, `a VcError, not ${String(e)}`);
    const text = errorMessage(e);
    assert(!text.startsWith("internal error"), text);
    assertStringIncludes(text, `mirror state file ${statePath} cannot be written`);
    assertStringIncludes(text, "locked");
    other.exec("ROLLBACK");
  } finally {
    other.close();
    state.close();
  }
});

Deno.test("mirror state: a state file that cannot be opened for a full disk is not advised away", async () => {
  const { unusableStateAdvice } = await import("../src/mirror/state.ts");
  for (const full of ["database or disk is full", "No space left on device (os error 28)"]) {
    const advice = unusableStateAdvice(full);
    assertStringIncludes(advice, "make room on its disk");
    assert(!advice.includes("remove it"), advice);
  }
  assertStringIncludes(unusableStateAdvice("file is not a database"), "remove it");
});
