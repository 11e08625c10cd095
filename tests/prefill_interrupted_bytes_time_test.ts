/**
 * A CI job cancelled at its timeout (SIGTERM) ends its `vc prefill` log on
 * the interrupted line, which gave the counts but not the bytes received nor
 * the time taken, both of which a finished run's summary gives: what a job
 * needs to size its timeout (or its runner's disk) was only in `--json`. The
 * line now says them as the summary does (`2.0 MB in 312.4s`).
 */
import { assertStringIncludes } from "./assert.ts";
import { PrefillInterruptedError } from "../src/prefill/mod.ts";

Deno.test("PrefillInterruptedError: its message says the bytes and the time, as the summary", () => {
  const summary = {
    total: 5000,
    fetched: 800,
    alreadyCached: 0,
    failed: [],
    bytes: 2_000_000,
    seconds: 312.4,
  };
  const e = new PrefillInterruptedError(summary, new DOMException("stop", "AbortError"));
  assertStringIncludes(
    e.message,
    "prefill interrupted after 800 of 5000 items: 800 fetched, 0 already cached, 0 failed; " +
      "2.0 MB in 312.4s; the rest was not tried: run it again to finish",
  );
});
