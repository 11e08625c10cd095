/**
 * Whether a command a test drives (`script`, `curl`, ...) is installed here:
 * `NAME --version` runs and succeeds. Tests that need one are declared
 * `ignore:` with the reason when it is missing, never skipped by returning.
 *
 * @module
 */

/** Whether `name --version` runs and exits 0 on this machine. */
export function commandAvailable(name: string): boolean {
  try {
    return new Deno.Command(name, { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}
