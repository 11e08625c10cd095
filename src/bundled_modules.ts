/**
 * Modules that a run from source imports by computed specifiers, and that
 * the release build bundles.
 *
 * From source (`deno run cli.ts`, `deno task prefill`, `deno install`), a
 * literal `import("./x.ts")` makes Deno read every module it reaches before
 * anything runs, so the command line loads its commands, the AWS SDK and the
 * like through computed specifiers, resolved relative to the importing
 * module. A bundle has no such modules beside it: the release build's entry
 * (`scripts/release/`) registers a loader for each by name first, with a
 * literal `import()` that `deno bundle --code-splitting` turns into a chunk,
 * and the URL of each worker module. A name is the module's path from the
 * project root (`src/cli/main.ts`); nothing is registered in a run from
 * source, and every lookup then takes the module's own specifier.
 *
 * @module
 */

/** Imports one module; what the release build registers for a name. */
export type ModuleLoader = () => Promise<unknown>;

const loaders = new Map<string, ModuleLoader>();
const workers = new Map<string, URL>();

/**
 * Registers the release bundle's loaders (by module name) and worker module
 * URLs (by name). Called once, by the release entry, before the command line
 * runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bundledWorkerUrl, registerBundledModules } from "./bundled_modules.ts";
 * const url = new URL("file:///opt/vc/src/store/download_hash_worker.ts");
 * registerBundledModules({}, { "src/doc_example_worker.ts": url });
 * assert(bundledWorkerUrl("src/doc_example_worker.ts", new URL("file:///elsewhere.ts")) === url);
 * ```
 */
export function registerBundledModules(
  modules: Readonly<Record<string, ModuleLoader>>,
  workerUrls: Readonly<Record<string, URL>> = {},
): void {
  for (const [name, load] of Object.entries(modules)) loaders.set(name, load);
  for (const [name, url] of Object.entries(workerUrls)) workers.set(name, url);
}

/**
 * Imports the module named `name`: through the release bundle's loader when
 * one is registered, else with `fromSource` (the caller's own computed
 * `import(specifier)`, which resolves relative to the caller).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importBundled } from "./bundled_modules.ts";
 * // A caller computes the specifier, so that deno run does not read it until used.
 * const bytes = await importBundled<typeof import("./bytes.ts")>(
 *   "src/bytes.ts",
 *   () => import("./bytes.ts"),
 * );
 * assert(typeof bytes === "object");
 * ```
 */
export function importBundled<T>(name: string, fromSource: () => Promise<unknown>): Promise<T> {
  return (loaders.get(name) ?? fromSource)() as Promise<T>;
}

/**
 * The URL to start the worker module named `name` from: the release
 * bundle's when registered, else `fromSource` (the caller's `new URL("./…",
 * import.meta.url)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bundledWorkerUrl } from "./bundled_modules.ts";
 * const own = new URL("./some_worker.ts", import.meta.url);
 * assert(bundledWorkerUrl("src/some_worker.ts", own) === own);
 * ```
 */
export function bundledWorkerUrl(name: string, fromSource: URL): URL {
  return workers.get(name) ?? fromSource;
}

/**
 * Whether this process may load the worker module at `url`: Deno checks a
 * worker's `file:` module against `--allow-read` (a script importing vc from
 * a checkout with `--allow-read=/its/data` may not), and a refused load is
 * printed to stderr as an uncaught error even though the worker's error
 * event is handled. The caller then does the work on the main thread.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mayLoadWorker } from "./bundled_modules.ts";
 * assert(mayLoadWorker(new URL("https://example.com/w.ts")));
 * const own = new URL("./bytes.ts", import.meta.url);
 * const granted = Deno.permissions.querySync({ name: "read", path: own }).state === "granted";
 * assert(mayLoadWorker(own) === granted);
 * ```
 */
export function mayLoadWorker(url: URL): boolean {
  if (url.protocol !== "file:") return true;
  try {
    return Deno.permissions.querySync({ name: "read", path: url }).state === "granted";
  } catch {
    return false;
  }
}
