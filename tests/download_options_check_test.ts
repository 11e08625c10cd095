// downloadToFile's options, and AssetCache's `download` tuning, are checked
// before anything is fetched: a NaN concurrency or range size fetched no
// byte and then blamed the content ("does not match its ETag"), a NaN
// `attempts` retried corrupt content forever, and a misspelt key was ignored.
import { assertEquals, assertRejects, assertThrows } from "./assert.ts";
import { AssetCache, InvalidInputError } from "../mod.ts";
import { downloadToFile, MemoryStore } from "../src/store/mod.ts";

const BAD: [Record<string, unknown>, RegExp][] = [
  [{ parallelThreshold: 1, concurrency: NaN }, /concurrency must be a positive integer, got NaN/],
  [{ parallelThreshold: 1, partSize: NaN }, /partSize must be a positive integer, got NaN/],
  [{ partSize: 0.5 }, /partSize must be a positive integer, got 0\.5/],
  [{ attempts: NaN }, /attempts must be a positive integer, got NaN/],
  [{ attempts: "3" }, /attempts must be a positive integer, got "3"/],
  [{ parallelThreshold: -1 }, /parallelThreshold must be a non-negative number/],
  [{ mode: -1 }, /mode must be a file mode/],
  [{ atempts: 2 }, /unknown option "atempts"; did you mean "attempts"/],
  [{ onProgress: 5 }, /onProgress must be a function, got 5/],
];

Deno.test("downloadToFile refuses bad options before fetching, and leaves no file", async () => {
  const store = new MemoryStore();
  await store.put("k", new Uint8Array(64 * 1024).fill(7));
  const dir = await Deno.makeTempDir({ prefix: "vc-download-options-" });
  try {
    for (const [options, message] of BAD) {
      const e = await assertRejects(
        () => downloadToFile(store, "k", `${dir}/out`, options as never),
        InvalidInputError,
      );
      assertEquals(message.test(e.message), true, e.message);
    }
    assertEquals([...Deno.readDirSync(dir)], []);
    // Infinity is a threshold that means "never ranged": still taken.
    const got = await downloadToFile(store, "k", `${dir}/out`, { parallelThreshold: Infinity });
    assertEquals(got.size, 64 * 1024);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("AssetCache refuses bad download tuning, naming the option", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-download-options-" });
  try {
    for (const [options, message] of BAD.filter(([o]) => !("mode" in o || "onProgress" in o))) {
      const e = assertThrows(
        () =>
          new AssetCache({ cacheDir: `${dir}/c`, configPath: false, download: options as never }),
        InvalidInputError,
      );
      assertEquals(message.test(e.message), true, e.message);
      assertEquals(e.message.startsWith("AssetCache download"), true, e.message);
    }
    // Options of downloadToFile the cache does not take are not tuning.
    assertThrows(
      () => new AssetCache({ configPath: false, download: { mode: 0o600 } as never }),
      InvalidInputError,
      'unknown option "mode"',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
