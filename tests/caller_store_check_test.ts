/**
 * A store a caller brings (given as a mirror side or a server's store, or
 * returned by a caller's `openStore`) that lacks a method of `ObjectStore` is
 * refused where it enters, naming the methods it lacks. Before, it failed
 * deep inside as a bare `TypeError: store.get is not a function`, or (a
 * mirror target without `put`) every file "failed" in a run that returned.
 */
import { join } from "node:path";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { InvalidInputError } from "../src/errors.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { prefill } from "../src/prefill/prefill.ts";
import { Repository } from "../src/repo/repository.ts";
import { createHandler } from "../src/server/handler.ts";
import { Entries } from "../src/server/entries.ts";
import { MemoryStore } from "../src/store/memory.ts";
import type { ObjectStore } from "../src/store/types.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assertEquals, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";

const METHODS = ["head", "get", "put", "list", "delete", "copy", "close"] as const;

/** A MemoryStore's methods but `without`, as a script's hand-made adapter. */
function lacking(inner: MemoryStore, without: readonly string[]): ObjectStore {
  const store: Record<string, unknown> = { url: "mem://adapter" };
  for (const m of METHODS) {
    if (!without.includes(m)) store[m] = inner[m].bind(inner);
  }
  return store as unknown as ObjectStore;
}

const auth = { authenticate: (t: string) => Promise.resolve({ tokenId: t, name: t }) };

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "vc_caller_store_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("caller store: AssetCache's openStore returning a store without get is refused naming it", async () => {
  await withDir(async (dir) => {
    await using inner = new MemoryStore();
    await inner.put("a.txt", new TextEncoder().encode("a"));
    await using assets = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      openStore: () => Promise.resolve(lacking(inner, ["head", "get"])),
    });
    const error = await assertRejects(() => assets.cache("s3://b/a.txt"), InvalidInputError);
    assertStringIncludes(error.message, "AssetCache: the store the option openStore returned");
    assertStringIncludes(error.message, "it has no head(), get()");
    // One that returns nothing at all.
    await using none = new AssetCache({
      cacheDir: join(dir, "cache2"),
      configPath: false,
      env: {},
      openStore: () => Promise.resolve(undefined as unknown as ObjectStore),
    });
    await assertRejects(
      () => none.cache("s3://b/a.txt"),
      InvalidInputError,
      "returned for s3://b must be an ObjectStore, got undefined",
    );
  });
});

Deno.test("caller store: prefill through such a cache names the missing methods per item", async () => {
  await withDir(async (dir) => {
    await using inner = new MemoryStore();
    await using assets = new AssetCache({
      cacheDir: join(dir, "cache"),
      configPath: false,
      env: {},
      openStore: () => Promise.resolve(lacking(inner, ["get"])),
    });
    const summary = await prefill({ cache: assets, uris: ["s3://b/a.txt"] });
    assertEquals(summary.failed.length, 1);
    assertStringIncludes(summary.failed[0]?.error ?? "", "it has no get()");
    assertEquals(summary.failed[0]?.errorName, "InvalidInputError");
  });
});

Deno.test("caller store: VersionedCache's openStore returning a store without list is refused naming it", async () => {
  await withDir(async (dir) => {
    await using inner = new MemoryStore();
    await Deno.writeTextFile(join(dir, "m.json"), "{}");
    await Deno.writeTextFile(join(dir, "a.txt"), "a");
    await using assets = new AssetCache({ cacheDir: join(dir, "cache"), configPath: false });
    await using versioned = new VersionedCache({
      manifest: join(dir, "m.json"),
      bucket: "s3://b",
      cache: assets,
      openStore: () => Promise.resolve(lacking(inner, ["list"])),
    });
    await assertRejects(
      () => versioned.add("/a.txt", join(dir, "a.txt")),
      InvalidInputError,
      "VersionedCache: the store the option openStore returned for s3://b (mem://adapter) is not an ObjectStore: it has no list()",
    );
    assertEquals(await Deno.readTextFile(join(dir, "m.json")), "{}");
  });
});

Deno.test("caller store: a mirror target or opener's store without put is refused before anything runs", async () => {
  await withDir(async (dir) => {
    await using inner = new MemoryStore();
    await Deno.writeTextFile(join(dir, "a.txt"), "a");
    await assertRejects(
      () => mirror({ sources: [dir], target: lacking(inner, ["put", "delete"]) }),
      InvalidInputError,
      "mirror(): target (mem://adapter) is not an ObjectStore: it has no put(), delete()",
    );
    await assertRejects(
      () =>
        mirror({
          sources: [dir],
          target: "s3://b/x",
          statePath: join(dir, "s.db"),
          openStore: () => Promise.resolve(lacking(inner, ["put"])),
        }),
      InvalidInputError,
      "mirror(): the store the option openStore returned for s3://b/x/ (mem://adapter) is not an ObjectStore: it has no put()",
    );
    assertEquals(await Array.fromAsync(inner.list("")), []);
  });
});

Deno.test("caller store: Repository's openStore returning a store without head is refused naming it", async () => {
  await withDir(async (dir) => {
    await using inner = new MemoryStore();
    const openStore = () => Promise.resolve(lacking(inner, ["head"]));
    for (
      const [what, call] of [
        ["Repository.init()", () => Repository.init(`file://${dir}/repo`, { openStore })],
        ["Repository.open()", () => Repository.open(`file://${dir}/repo`, { openStore })],
        [
          "Repository.restore()",
          () => Repository.restore(`file://${dir}/repo`, `file://${dir}/b.gz`, { openStore }),
        ],
      ] as const
    ) {
      await assertRejects(
        call,
        InvalidInputError,
        `${what}: the store the option openStore returned for file://${dir}`,
      );
    }
    await assertRejects(
      () => Repository.restore(`file://${dir}/repo`, "x", { openStore: "s3://b" as never }),
      InvalidInputError,
      "Repository.restore(): the option openStore must be a function",
    );
  });
});

Deno.test("caller store: createHandler and Entries refuse a store without put, naming it", async () => {
  await using inner = new MemoryStore();
  assertThrows(
    () => createHandler({ store: lacking(inner, ["put"]), auth }),
    InvalidInputError,
    "createHandler: the option store (mem://adapter) is not an ObjectStore: it has no put()",
  );
  assertThrows(
    () => new Entries(lacking(inner, ["copy"])),
    InvalidInputError,
    "Entries: the store (mem://adapter) is not an ObjectStore: it has no copy()",
  );
  // An optional method given as something other than a function is named too.
  assertThrows(
    () => createHandler({ store: Object.assign(lacking(inner, []), { validator: true }), auth }),
    InvalidInputError,
    "its validator (true, not a function)",
  );
});
