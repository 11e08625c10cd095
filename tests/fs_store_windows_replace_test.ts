// A directory store's put that replaces an object another program holds
// open (an editor, a viewer, a virus scanner): Windows refuses the rename
// for as long as it is held ("Access is denied (os error 5)"). The put is
// retried for a moment, as the cache's replaces are (`replace_file.ts`),
// and when the hold lasts it fails naming the file, leaving the object and
// its metadata as they were. The retry LOGIC only: run on Linux by switching
// `fsPlatform.mandatoryLocks` and making renames fail the way Windows does.
import { assert, assertEquals, assertRejects } from "./assert.ts";
import { FsStore } from "../src/store/fs.ts";
import { withFsPlatform } from "../src/fs_platform.ts";
import { withTempDir } from "./versioned_helpers.ts";

const refusal = () => new Deno.errors.PermissionDenied("Access is denied. (os error 5)");

/**
 * Runs `fn` with renames onto `target` failing like Windows for their first
 * `failures` calls; returns how many renames onto it were tried.
 */
async function withHeldOpen(
  target: string,
  failures: number,
  fn: () => Promise<void>,
): Promise<number> {
  const { rename, renameSync } = Deno;
  let attempts = 0;
  const refuses = (to: string | URL) => String(to) === target && attempts++ < failures;
  Deno.rename = (from, to) => (refuses(to) ? Promise.reject(refusal()) : rename(from, to));
  Deno.renameSync = (from, to) => {
    if (refuses(to)) throw refusal();
    renameSync(from, to);
  };
  try {
    await fn();
  } finally {
    Object.assign(Deno, { rename, renameSync });
  }
  return attempts;
}

const text = async (store: FsStore, key: string) =>
  await new Response((await store.get(key)).body).text();

Deno.test("FsStore on Windows (logic): a put over an object held open for a moment is retried", async () => {
  await withTempDir(async (dir) => {
    const store = new FsStore(dir);
    await store.put("a.csv", new TextEncoder().encode("old"));
    await withFsPlatform({ mandatoryLocks: true }, async () => {
      const attempts = await withHeldOpen(`${dir}/a.csv`, 2, async () => {
        await store.put("a.csv", new TextEncoder().encode("new"));
      });
      assertEquals(attempts, 3, "two refusals, then the rename");
    });
    assertEquals(await text(store, "a.csv"), "new");
  }, "vc-fs-replace-");
});

Deno.test("FsStore on Windows (logic): a put over an object held open for good names it; nothing lost", async () => {
  await withTempDir(async (dir) => {
    const store = new FsStore(dir);
    const first = await store.put("a.csv", new TextEncoder().encode("old"), {
      metadata: { k: "v" },
    });
    await withFsPlatform({ mandatoryLocks: true }, async () => {
      await withHeldOpen(`${dir}/a.csv`, 1000, async () => {
        const e = await assertRejects(() => store.put("a.csv", new TextEncoder().encode("new")));
        assert(String(e).includes(`${dir}/a.csv`), String(e));
        assert(String(e).includes("another program has it open"), String(e));
      });
    });
    assertEquals(await text(store, "a.csv"), "old");
    const info = await store.head("a.csv");
    assertEquals([info?.etag, info?.metadata], [first.etag, { k: "v" }]);
  }, "vc-fs-replace-");
});
