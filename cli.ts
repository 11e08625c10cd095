/**
 * The `vc` command line. Only this file reads `Deno.args` and calls `Deno.exit`.
 *
 * @module
 */
if (import.meta.main) {
  console.error("vc: not implemented yet");
  Deno.exit(1);
}
