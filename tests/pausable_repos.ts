/**
 * Two repositories on one file store, both opened through a store seam whose
 * hooks a test sets to pause a step (after a content put, a HEAD, a listing's
 * end, a delete) or rewrite what HEAD and GET say: races between an add, an
 * adopt and a gc, decided by promises rather than timing. The second
 * repository's clock runs an hour ahead, so a new object is past its grace.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { Repository } from "../src/repo/mod.ts";
import { openStore } from "../src/store/open.ts";
import type { ObjectInfo, ObjectStore } from "../src/store/types.ts";
import { overriding } from "./overriding.ts";

/** What the seam runs; each hook unset does nothing. */
export type Hook = {
  /** Run after a content put lands, with its key. */
  afterPut?: ((key: string) => Promise<void>) | undefined;
  /** Run after each HEAD of a content key, with its key. */
  afterHead?: ((key: string) => Promise<void>) | undefined;
  /** Run after a listing's end. */
  afterList?: (() => Promise<void>) | undefined;
  /** Run after a delete. */
  afterDelete?: (() => Promise<void>) | undefined;
  /** Rewrites what HEAD and GET say of an object (a multipart ETag, no metadata). */
  info?: ((info: ObjectInfo) => ObjectInfo) | undefined;
};

/** The store at `uri`, with `hook` run through it. */
async function pausable(uri: string, hook: Hook): Promise<ObjectStore> {
  const store = await openStore(uri);
  return overriding(store, {
    put: async (...args: Parameters<ObjectStore["put"]>) => {
      const result = await store.put(...args);
      if (args[0].startsWith("content/")) await hook.afterPut?.(args[0]);
      return result;
    },
    head: async (...args: Parameters<ObjectStore["head"]>) => {
      const info = await store.head(...args);
      if (args[0].startsWith("content/")) await hook.afterHead?.(args[0]);
      return info && hook.info ? hook.info(info) : info;
    },
    get: async (...args: Parameters<ObjectStore["get"]>) => {
      const got = await store.get(...args);
      return hook.info ? { ...got, info: hook.info(got.info) } : got;
    },
    delete: async (...args: Parameters<ObjectStore["delete"]>) => {
      await store.delete(...args);
      await hook.afterDelete?.();
    },
    list: async function* (...args: Parameters<ObjectStore["list"]>) {
      yield* store.list(...args);
      await hook.afterList?.();
    },
  });
}

/**
 * Runs `fn` with a repository, a collector (its clock an hour ahead) and the
 * hook both stores share, on a new store in a temp dir named by `prefix`
 * (with `catalog` if given); closes both and removes the dir after.
 */
export async function withPausableRepos(
  prefix: string,
  catalog: string | undefined,
  fn: (repo: Repository, collector: Repository, hook: Hook) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix });
  const uri = pathToFileURL(join(dir, "store")).href;
  const hook: Hook = {};
  try {
    await (await Repository.init(uri, catalog ? { catalog } : {})).close();
    await using repo = await Repository.open(uri, { openStore: (u) => pausable(u, hook) });
    await using collector = await Repository.open(uri, {
      clock: new ManualClock(Date.now() + 3_600_000),
      openStore: (u) => pausable(u, hook),
    });
    await fn(repo, collector, hook);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Holds the next content put after it landed: `uploaded` gives its key, `resume` lets it go on. */
export function pauseAfterPut(
  hook: Hook,
): { uploaded: PromiseWithResolvers<string>; resume: PromiseWithResolvers<void> } {
  const uploaded = Promise.withResolvers<string>();
  const resume = Promise.withResolvers<void>();
  hook.afterPut = (key) => {
    hook.afterPut = undefined;
    uploaded.resolve(key);
    return resume.promise;
  };
  return { uploaded, resume };
}
