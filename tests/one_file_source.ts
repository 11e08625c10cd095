/**
 * A throwaway directory store holding `d/a.txt` ("a\n"), with a cache dir
 * beside it: the setup of the cache tests that damage or race one entry.
 * Removed with everything in it when disposed.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** The paths of a {@linkcode oneFileSource}. */
export interface OneFileSource extends AsyncDisposable {
  /** The temp directory holding the others. */
  root: string;
  /** The directory store. */
  store: string;
  /** The cache dir (not made yet). */
  cacheDir: string;
  /** The `file://` URI of `d/a.txt` in the store. */
  uri: string;
}

/** Makes a {@linkcode OneFileSource} in a new temp directory named with `prefix`. */
export async function oneFileSource(prefix: string): Promise<OneFileSource> {
  const root = await Deno.makeTempDir({ prefix });
  const store = join(root, "store");
  await Deno.mkdir(join(store, "d"), { recursive: true });
  await Deno.writeTextFile(join(store, "d", "a.txt"), "a\n");
  return {
    root,
    store,
    cacheDir: join(root, "cache"),
    uri: `${pathToFileURL(store).href}/d/a.txt`,
    async [Symbol.asyncDispose]() {
      await Deno.remove(root, { recursive: true });
    },
  };
}
