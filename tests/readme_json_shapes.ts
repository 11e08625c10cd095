/**
 * What README's list of `--json` shapes says: the keys its line for a
 * command names, for the tests that keep every key a command prints (and
 * every key of the library's result types) documented there.
 *
 * @module
 */
import { assertEquals } from "./assert.ts";

/** The keys README's `- \`vc COMMAND --json\`:` line names (`"key"`). */
export async function documentedKeys(command: string): Promise<Set<string>> {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const marker = `- \`vc ${command} --json\`:`;
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README has no line starting ${marker}`);
  const end = readme.indexOf("\n- ", start + marker.length);
  const text = readme.slice(start, end < 0 ? undefined : end);
  return new Set([...text.matchAll(/"([A-Za-z]+)"/g)].map((m) => m[1]!));
}

/** Fails naming each of `keys` that README's line for `vc COMMAND --json` leaves out. */
export async function assertDocumented(command: string, keys: Iterable<string>): Promise<void> {
  const documented = await documentedKeys(command);
  const missing = [...new Set(keys)].filter((k) => !documented.has(k));
  assertEquals(missing, [], `README's vc ${command} --json does not name ${missing}`);
}
