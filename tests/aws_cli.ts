/**
 * The aws CLI, for the tests that check vc against it (they declare
 * `ignore:` with a reason when it is not installed).
 *
 * @module
 */
import { commandAvailable } from "./command_available.ts";

/** Whether `aws --version` runs and exits 0 on this machine. */
export function awsCliInstalled(): Promise<boolean> {
  return Promise.resolve(commandAvailable("aws"));
}
