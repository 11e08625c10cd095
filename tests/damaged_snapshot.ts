/**
 * A repository's snapshot damaged after its header, for tests of what a
 * restore refuses once the header is read: a restore that reads on fails on
 * the damage instead, so the refusal a test expects shows it stopped first.
 *
 * @module
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Repository } from "../src/repo/mod.ts";
import { gunzip, gzip } from "./gzip.ts";

/**
 * A repository at `<dir>/x` holding `/a.txt`, and its backup at
 * `<dir>/x.jsonl.gz` whose second line (the first row after the header) is
 * no JSON.
 */
export async function repoWithDamagedSnapshot(
  dir: string,
): Promise<{ uri: string; snapshot: string }> {
  const uri = pathToFileURL(join(dir, "x")).href;
  const snapshot = join(dir, "x.jsonl.gz");
  {
    await using repo = await Repository.init(uri);
    await repo.add("/a.txt", new TextEncoder().encode("a"));
    await repo.backup(pathToFileURL(snapshot).href);
  }
  const lines = (await gunzip(await Deno.readFile(snapshot))).split("\n");
  lines[1] = "{not json";
  await Deno.writeFile(snapshot, await gzip(lines.join("\n")));
  return { uri, snapshot };
}
