/**
 * The aws CLI, for the tests that check vc against it (they declare
 * `ignore:` with a reason when it is not installed).
 *
 * @module
 */

/** Whether `aws --version` runs and exits 0 on this machine. */
export async function awsCliInstalled(): Promise<boolean> {
  try {
    const run = await new Deno.Command("aws", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return run.code === 0;
  } catch {
    return false;
  }
}
