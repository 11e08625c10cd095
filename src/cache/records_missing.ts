/**
 * A cache dir that holds copies but not their records: its `.meta` tree is
 * missing, as it is from a CI cache saved or restored without hidden files
 * (`actions/upload-artifact` leaves them out by default). No copy is then
 * served (nothing says what object, version or checksum it is): every one
 * is downloaded again, which a run said nothing of.
 *
 * @module
 */
import { FILE_NAMESPACE, META_DIR } from "./layout.ts";
import { join } from "../path.ts";

// Entries looked at for a copy, at most: the check is one per run, bounded.
const MAX_ENTRIES_LOOKED_AT = 200;

/**
 * The warning for `cacheDir` when it holds a copy (a regular file, not a dot
 * name, below one of vc's data namespaces `s3`, `s3@<endpoint>` or `file`:
 * `vc mirror`'s state in `mirror/`, or another tool's files in a cache dir
 * shared with it, are no copies) and no `.meta` directory; else
 * `undefined` (also when the cache dir cannot be read: its own errors say
 * that). Looks at a bounded number of entries.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordsMissingWarning } from "./records_missing.ts";
 * const dir = Deno.makeTempDirSync();
 * try {
 *   assert.equal(recordsMissingWarning(dir), undefined);
 *   Deno.mkdirSync(`${dir}/s3/b`, { recursive: true });
 *   Deno.writeTextFileSync(`${dir}/s3/b/k.txt`, "k");
 *   assert.match(recordsMissingWarning(dir) ?? "", /holds copies without their records/);
 *   Deno.mkdirSync(`${dir}/.meta`);
 *   assert.equal(recordsMissingWarning(dir), undefined);
 * } finally {
 *   Deno.removeSync(dir, { recursive: true });
 * }
 * ```
 */
export function recordsMissingWarning(cacheDir: string): string | undefined {
  const top = cacheDir.replace(/[\\/]+$/, "");
  const meta = join(top, META_DIR);
  try {
    Deno.lstatSync(meta);
    return undefined;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return undefined;
  }
  if (!holdsCopy(top)) return undefined;
  return `the cache dir ${cacheDir} holds copies without their records (${meta} is missing: ` +
    `a cache saved or restored without its hidden files?): none can be served, each is ` +
    `downloaded again; keep ${META_DIR} with the cache (actions/upload-artifact: ` +
    `include-hidden-files: true)`;
}

// Whether a top-level name is one of vc's data namespaces (layout.ts).
function isDataNamespace(name: string): boolean {
  return name === "s3" || name.startsWith("s3@") || name === FILE_NAMESPACE;
}

// Whether a regular file is found below `top`'s data namespaces, looking at a bounded number of entries.
function holdsCopy(top: string): boolean {
  const dirs: string[] = [];
  let looked = 0;
  try {
    for (const entry of Deno.readDirSync(top)) {
      if (entry.isDirectory && isDataNamespace(entry.name)) dirs.push(join(top, entry.name));
    }
    while (dirs.length > 0) {
      const dir = dirs.pop()!;
      for (const entry of Deno.readDirSync(dir)) {
        if (++looked > MAX_ENTRIES_LOOKED_AT) return false;
        if (entry.name.startsWith(".")) continue;
        if (entry.isFile) return true;
        if (entry.isDirectory) dirs.push(join(dir, entry.name));
      }
    }
  } catch {
    // Unreadable: not for this warning to say.
  }
  return false;
}
