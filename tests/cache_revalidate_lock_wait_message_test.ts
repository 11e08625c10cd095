/**
 * A revalidation that finds the new version being downloaded by another
 * process waits for its lock at most the revalidation wait
 * (`revalidateTimeout`), then serves the cached copy. Its warning said the
 * store gave "no answer within 5 s", which sent users checking the network
 * and the endpoint while the store had answered at once: it names the
 * download it waited for instead. The notice of the wait said it gave up
 * after 60 s (VC_LOCK_WAIT), 55 s after the copy was served: it says when.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { GetOptions, GetResult } from "../src/store/types.ts";
import { WrappingStore } from "./versioned_helpers.ts";

const enc = (s: string) => new TextEncoder().encode(s);

/** Holds every GET until `release` is called; `started` resolves at the first. */
class HeldStore extends WrappingStore {
  readonly #hold = Promise.withResolvers<void>();
  readonly #started = Promise.withResolvers<void>();
  readonly started = this.#started.promise;
  release = () => this.#hold.resolve();
  override async get(key: string, options?: GetOptions): Promise<GetResult> {
    this.#started.resolve();
    await this.#hold.promise;
    return await this.inner.get(key, options);
  }
}

/**
 * Two caches on one cache dir, `k.bin` cached as "version one" by `cache`,
 * then "version two" in the store: `other` downloads through `held` (each
 * GET held until released), `cache` revalidates after `revalidateTimeout`
 * seconds, its warnings in `warnings` (each also handed to `onWarn`). The
 * caches are closed before their dir is removed.
 */
async function lockWaitScene(revalidateTimeout: number, onWarn: (m: string) => void = () => {}) {
  const dir = await Deno.makeTempDir({ prefix: "vc-revalidate-lock-wait-" });
  const inner = new MemoryStore();
  await inner.put("k.bin", enc("version one\n"));
  const held = new HeldStore(inner);
  const warnings: string[] = [];
  const options = { cacheDir: `${dir}/cache`, configPath: false as const, env: {}, timeout: 0 };
  const other = new AssetCache({
    ...options,
    revalidateTimeout: 0,
    openStore: () => Promise.resolve(held),
    warn: () => {},
  });
  const cache = new AssetCache({
    ...options,
    revalidateTimeout,
    openStore: () => Promise.resolve(inner),
    warn: (m: string) => {
      warnings.push(m);
      onWarn(m);
    },
  });
  const path = await cache.cache("s3://b/k.bin");
  await inner.put("k.bin", enc("version two\n"));
  return {
    held,
    other,
    cache,
    warnings,
    path,
    async [Symbol.asyncDispose]() {
      held.release();
      try {
        await other.close();
        await cache.close();
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  };
}

Deno.test("a revalidation that waits out another download's lock names that download, not the store", async () => {
  await using scene = await lockWaitScene(0.3);
  const { held, other, cache, warnings, path } = scene;
  // The other one holds the entry's lock, its GET of version two under way.
  const downloading = other.cache("s3://b/k.bin");
  await held.started;
  try {
    assertEquals(await cache.cache("s3://b/k.bin"), path);
    assertEquals(await Deno.readTextFile(path), "version one\n");
  } finally {
    held.release();
  }
  assertEquals(await downloading, path);
  assertEquals(await Deno.readTextFile(path), "version two\n");
  const served = warnings.filter((m) => m.includes("serving the cached copy"));
  assertEquals(served.length, 1, warnings.join("\n"));
  const warning = served[0] ?? "";
  assertStringIncludes(warning, "another download in this process was still downloading it");
  assertStringIncludes(warning, "after 0.3 s");
  assertStringIncludes(warning, "VC_REVALIDATE_TIMEOUT");
  assertEquals(warning.includes("no answer"), false, warning);
  assertEquals(warning.includes("cannot download"), false, warning);
});

/**
 * The notice a revalidation prints while it waits for another download in
 * this process, with a revalidation wait of `revalidateSeconds`: the other
 * download is let go once the notice is out, so the wait ends with it. Also
 * returns what the cached copy holds after both.
 */
async function lockWaitNotice(
  revalidateSeconds: number,
): Promise<{ notice: string; text: string }> {
  let release = () => {};
  await using scene = await lockWaitScene(revalidateSeconds, (m) => {
    if (m.includes("waiting for")) release();
  });
  const { held, other, cache, warnings, path } = scene;
  release = held.release;
  const downloading = other.cache("s3://b/k.bin");
  await held.started;
  try {
    assertEquals(await cache.cache("s3://b/k.bin"), path);
  } finally {
    held.release();
  }
  assertEquals(await downloading, path);
  const notice = warnings.find((m) => m.includes("waiting for")) ?? "";
  return { notice, text: await Deno.readTextFile(path) };
}

Deno.test("the notice of a revalidation waiting for another download's lock says when it stops waiting", async () => {
  // Far longer than the wait before the notice, shorter than the lock's own
  // (VC_LOCK_WAIT, 60 s).
  const { notice, text } = await lockWaitNotice(30);
  assertEquals(text, "version two\n");
  assertStringIncludes(
    notice,
    "another download in this process to finish downloading s3://b/k.bin",
  );
  assertStringIncludes(
    notice,
    "serving the cached copy if it takes past the revalidation wait of 30 s",
  );
  assertEquals(notice.includes("VC_LOCK_WAIT"), false, notice);
});

Deno.test("the notice of a revalidation waiting past VC_LOCK_WAIT for another download's lock says both ends of its wait", async () => {
  // The lock's wait (VC_LOCK_WAIT, 60 s) counts from the holder's last
  // write: a download that writes goes on past it, and the revalidation
  // wait (90 s) is what stops this one then.
  const { notice } = await lockWaitNotice(90);
  assertStringIncludes(notice, "giving up once it writes nothing for 60s (VC_LOCK_WAIT)");
  assertStringIncludes(
    notice,
    "serving the cached copy if it takes past the revalidation wait of 90 s",
  );
});
