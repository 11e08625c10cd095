/**
 * The fixture of the tests that a directory's listing is shared by the
 * missing entries it explains: a manifest `m.json` pinning
 * {@linkcode MISSING_ENTRIES} versions the bucket `s3://b/team` lacks
 * (`/data/f0.csv` … at 1.0.0) and `/data/other.csv`, whose letter-case twin
 * `team/data/Other.1.0.0.csv` is there, read through a proxy that counts the
 * bucket's listings by prefix.
 */
import { join } from "node:path";
import type { StoreOptions } from "../src/store/open.ts";
import { type ProxiedS3, startS3Proxy } from "./s3_proxy.ts";
import { tempDir, testS3Options } from "./versioned_helpers.ts";

/** Manifest entries the bucket has no version of, beside `/data/other.csv`. */
export const MISSING_ENTRIES = 30;

/** What {@linkcode missingEntriesBucket} sets up; disposing stops the proxy and removes `dir`. */
export interface MissingEntriesBucket extends AsyncDisposable {
  /** The fake S3 behind the proxy (objects put there appear in the bucket). */
  proxied: ProxiedS3;
  /** ListObjectsV2 requests by their prefix. */
  lists: Map<string, number>;
  /** The temp directory holding the manifest. */
  dir: string;
  /** The manifest's path. */
  manifest: string;
  /** Store options that reach the bucket through the proxy, one attempt a request. */
  store: StoreOptions;
}

/** Sets up the fixture in a temp directory named with `prefix`. */
export async function missingEntriesBucket(prefix: string): Promise<MissingEntriesBucket> {
  const lists = new Map<string, number>();
  const proxied = await startS3Proxy(async (req, forward) => {
    const url = new URL(req.url);
    if (url.searchParams.has("list-type")) {
      const prefix = url.searchParams.get("prefix") ?? "";
      lists.set(prefix, (lists.get(prefix) ?? 0) + 1);
    }
    return await forward();
  });
  try {
    await proxied.fake.putObject("b", "team/data/Other.1.0.0.csv", "o");
    const dir = await tempDir(prefix);
    const entries: Record<string, string> = {};
    for (let i = 0; i < MISSING_ENTRIES; i++) entries[`/data/f${i}.csv`] = "1.0.0";
    // A twin in letter case, found from the same one read of the directory.
    entries["/data/other.csv"] = "1.0.0";
    const manifest = join(dir.path, "m.json");
    await Deno.writeTextFile(manifest, JSON.stringify(entries));
    return {
      proxied,
      lists,
      dir: dir.path,
      manifest,
      store: testS3Options({ url: proxied.endpoint }, { maxAttempts: 1 }),
      async [Symbol.asyncDispose]() {
        try {
          await dir[Symbol.asyncDispose]();
        } finally {
          await proxied[Symbol.asyncDispose]();
        }
      },
    };
  } catch (error) {
    await proxied[Symbol.asyncDispose]();
    throw error;
  }
}
