/**
 * A mirror state file that cannot be opened for a full disk is not advised
 * away (removing it would not help). A write that fails names the file: see
 * tests/mirror_test.ts ("a write that finds the file locked").
 */
import { unusableStateAdvice } from "../src/mirror/state.ts";
import { assert, assertStringIncludes } from "./assert.ts";

Deno.test("mirror state: a state file that cannot be opened for a full disk is not advised away", () => {
  for (const full of ["database or disk is full", "No space left on device (os error 28)"]) {
    const advice = unusableStateAdvice(full);
    assertStringIncludes(advice, "make room on its disk");
    assert(!advice.includes("remove it"), advice);
  }
  assertStringIncludes(unusableStateAdvice("file is not a database"), "remove it");
});
