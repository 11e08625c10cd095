/**
 * The release build's entry (`scripts/compile.ts`), bundled alone into one
 * file: the `vc` process (`src/cli/process.ts`) with the lean `vc path` entry
 * inlined. The full command line is a code-split bundle of its own, in
 * `full/` beside this one's (built from `main.ts`); this entry registers
 * where its entries are, by computed specifiers, so that bundling this one
 * does not take the full command line in.
 *
 * @module
 */
import { registerBundledModules } from "../../src/bundled_modules.ts";
import { runProcess } from "../../src/cli/process.ts";

/** The full command line's bundle, relative to this entry's. */
const FULL_CLI_DIR = "./full/";

registerBundledModules({
  "src/cli/main.ts": () => import(`${FULL_CLI_DIR}main.js`),
  "src/atomic_write.ts": () => import(`${FULL_CLI_DIR}atomic_write.js`),
});

// After the registration above, and not a top-level `await` (see cli.ts).
if (import.meta.main) void runProcess();
