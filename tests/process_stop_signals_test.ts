// On Windows only Ctrl-C stopped vc cleanly: Ctrl-Break (SIGBREAK, Windows'
// other console interrupt) had no listener, so it ended the process at once,
// as `kill -9` would: no grace period, temp files and a multipart upload in
// flight left behind, a `vc serve` or `vc mirror --watch` not drained. It is
// now taken as a Ctrl-C there; SIGTERM, which Windows does not have, only
// elsewhere. The platform is injected: Linux cannot listen for SIGBREAK.
import assert from "node:assert/strict";
import { stopSignals } from "../src/cli/process.ts";

Deno.test("stop signals: Ctrl-Break on Windows is a Ctrl-C; SIGTERM off Windows", () => {
  assert.deepEqual(stopSignals("windows"), [["SIGINT", "SIGINT"], ["SIGBREAK", "SIGINT"]]);
  for (const os of ["linux", "darwin"] as const) {
    assert.deepEqual(stopSignals(os), [["SIGINT", "SIGINT"], ["SIGTERM", "SIGTERM"]]);
  }
});

Deno.test("stop signals: each one this platform gives can be listened for", () => {
  for (const [signal] of stopSignals()) {
    const listener = () => {};
    Deno.addSignalListener(signal, listener);
    Deno.removeSignalListener(signal, listener);
  }
});
