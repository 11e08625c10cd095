/**
 * A directory's files with their contents, for assertions: a helper of its
 * own so that helpers run in a child process outside the project (no import
 * map) can use it without loading `mirror_helpers.ts`, which imports the AWS
 * SDK by its bare name.
 */
import { join } from "node:path";

/** Every file under `root` (relative `/` paths) with its content. */
export async function treeContents(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, prefix: string): Promise<void> {
    const entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e);
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      if (e.isDirectory) await walk(join(dir, e.name), `${prefix}${e.name}/`);
      else if (e.isFile) out[prefix + e.name] = await Deno.readTextFile(join(dir, e.name));
    }
  }
  await walk(root, "");
  return out;
}
