/**
 * `Repository.open`, `init` and `restore` checked every option's type but
 * `cache` and `clock`: `{ cache: {} }` (a settings object given for the
 * AssetCache) opened the repository, and its first `download` failed with
 * `TypeError: this[#cache].cache is not a function` from inside vc;
 * `{ clock: {} }` failed the first `add` or `claim` with
 * `TypeError: clock.now is not a function`. Both are now an
 * `InvalidInputError` naming the option, before anything is opened, as
 * `prefill()` and `VersionedCache` say of their `cache` and `AssetCache` of
 * its `clock`.
 */
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { Repository } from "../src/repo/mod.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("repo: a cache or clock option that is none is refused by name at open", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_repo_open_option_types_" });
  const A = (x: unknown) => x as never;
  try {
    const uri = `file://${dir}/repo`;
    await (await Repository.init(uri, { host: "h" })).close();
    const snapshot = `${dir}/b.jsonl.gz`;
    {
      await using repo = await Repository.open(uri, { host: "h" });
      await repo.backup(snapshot);
    }
    const cases: [string, Record<string, unknown>, string][] = [
      ["cache", { cache: {} }, "the option cache must be an AssetCache, got an object"],
      [
        "cache",
        { cache: "/tmp/cache" },
        'the option cache must be an AssetCache, got "/tmp/cache"',
      ],
      ["clock", { clock: {} }, "the option clock must be a Clock (such as ManualClock)"],
      ["clock", { clock: 5 }, "the option clock must be a Clock (such as ManualClock), got 5"],
    ];
    for (const [_, extra, message] of cases) {
      const open = await assertRejects(
        () => Repository.open(uri, A({ host: "h", ...extra })),
        InvalidInputError,
      );
      assertStringIncludes(open.message, `Repository.open(): ${message}`);
      const init = await assertRejects(
        () => Repository.init(`file://${dir}/other`, A({ host: "h", ...extra })),
        InvalidInputError,
      );
      assertStringIncludes(init.message, `Repository.init(): ${message}`);
      const restore = await assertRejects(
        () => Repository.restore(uri, snapshot, A({ host: "h", force: true, ...extra })),
        InvalidInputError,
      );
      assertStringIncludes(restore.message, `Repository.restore(): ${message}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
