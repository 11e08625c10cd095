/**
 * The files of a directory tree, for assertions that nothing was left behind
 * (a temp file, a partial, a sidecar): one lister for every test that needs
 * one.
 */
import { join } from "node:path";

/** How {@linkcode filesUnder} names what it finds. */
export interface FilesUnderOptions {
  /** Paths relative to `dir`, joined with `/` (full paths unless set). */
  relative?: boolean;
  /** A `dir` that does not exist has no files (an error unless set). */
  missingOk?: boolean;
}

/** Every file under `dir`, recursively, sorted; directories left out. */
export function filesUnder(dir: string, options: FilesUnderOptions = {}): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(rel === "" ? dir : join(dir, rel))) {
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory) walk(path);
      else out.push(path);
    }
  };
  try {
    walk("");
  } catch (e) {
    if (!(options.missingOk && e instanceof Deno.errors.NotFound)) throw e;
  }
  return (options.relative ? out : out.map((p) => join(dir, p))).sort();
}
