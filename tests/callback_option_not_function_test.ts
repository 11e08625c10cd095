/**
 * A callback option that is not a function, as plain JavaScript passes it
 * (`onProgress: true`, a log file's name for `onAction`): refused with an
 * `InvalidInputError` naming the option, before any work, by every options
 * bag (the check is `checkOptions`'s, as for `signal`). The asset cache and
 * `prefill` checked theirs; a store's `put` failed with a bare `TypeError`
 * (an S3 multipart `beforeCommit` once every part was sent), `list` took an
 * `onWarning` it would never call, `mirror` reported its own `TypeError` as
 * "the onAction callback threw", `Repository.gc` failed with a `TypeError`,
 * and `VersionedCache.add` with one naming another option, after hashing.
 */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache, InvalidInputError, VersionedCache } from "../mod.ts";
import { FsStore, MemoryStore } from "../src/store/mod.ts";
import { mirror } from "../src/mirror/mod.ts";
import { Repository } from "../src/repo/mod.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** `call` rejects, naming the call (`what`, as its messages start) and `option`. */
async function refused(call: () => Promise<unknown>, what: string, option: string) {
  const error = await assertRejects(call, InvalidInputError);
  assertStringIncludes(error.message, `the option ${option} must be a function`);
  assert(error.message.startsWith(what), error.message);
}

async function drain(items: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of items);
}

Deno.test("store put and list refuse a callback option that is not a function", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_callback_option_store_" });
  try {
    for (const store of [new MemoryStore(), new FsStore(dir)]) {
      const body = new Uint8Array(3);
      await refused(() => store.put("k", body, { onProgress: 5 } as Any), "put k", "onProgress");
      await refused(
        () => store.put("k", body, { beforeCommit: true } as Any),
        "put k",
        "beforeCommit",
      );
      assertEquals(await store.head("k"), undefined);
      await refused(() => drain(store.list("", { onWarning: "warn" } as Any)), "list", "onWarning");
      await refused(() => drain(store.list("", { onSwept: 1 } as Any)), "list", "onSwept");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mirror, Repository.gc and VersionedCache.add refuse a callback option that is not a function", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_callback_option_calls_" });
  try {
    await Deno.mkdir(`${dir}/src`);
    await Deno.writeTextFile(`${dir}/src/a.txt`, "a");
    await refused(
      () =>
        mirror({ sources: [`${dir}/src`], target: `file://${dir}/t`, onAction: "log.txt" } as Any),
      "Mirror",
      "onAction",
    );
    assertEquals(await Deno.stat(`${dir}/t`).then(() => "made", () => "none"), "none");
    await using repo = await Repository.init(`file://${dir}/repo`, {
      catalog: `sqlite:${dir}/c.sqlite`,
    });
    await refused(() => repo.gc({ onPhase: 5 } as Any), "Repository.gc()", "onPhase");
    await using cache = new AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `file://${dir}/b`, cache });
    await refused(
      () => vc.add("/a.txt", `${dir}/src/a.txt`, { onHashProgress: 5 } as Any),
      "VersionedCache.add()",
      "onHashProgress",
    );
    assertEquals(await Deno.stat(`${dir}/m.json`).then(() => "made", () => "none"), "none");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an option named like a callback that is not one is still taken: AssetCache's onUnreachable", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_callback_option_unreachable_" });
  try {
    await using cache = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      onUnreachable: "fail",
    });
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    assertEquals(await Deno.readTextFile(await cache.cache(`file://${dir}/a.txt`)), "a");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
