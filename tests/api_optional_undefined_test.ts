/**
 * The public option types take an explicit `undefined` for any optional
 * property, as a strict consumer (`exactOptionalPropertyTypes`, this
 * project's own setting) writes them when passing a value that may be
 * missing. This file fails type checking when they do not.
 */
import { assertEquals } from "./assert.ts";
import { AssetCache, prefill, VersionedCache } from "../mod.ts";

Deno.test("options accept an explicit undefined for every optional property (strict consumers)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const maybeSignal: AbortSignal | undefined = undefined;
    const maybeNumber: number | undefined = undefined;
    await Deno.writeTextFile(`${dir}/a.csv`, "a");
    await using assets = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      env: {},
      timeout: maybeNumber,
      maxDownloads: maybeNumber,
      lockWait: maybeNumber,
      offline: undefined,
      openStore: undefined,
    });
    const path = await assets.cache(`file://${dir}/a.csv`, {
      signal: maybeSignal,
      onProgress: undefined,
      integrity: undefined,
    });
    assertEquals(await Deno.readTextFile(path), "a");
    await using vc = new VersionedCache({
      manifest: `${dir}/m.json`,
      bucket: `${dir}/bucket`,
      cache: assets,
      lock: undefined,
      frozen: undefined,
      openStore: undefined,
    });
    await vc.add("/a.csv", `${dir}/a.csv`, { signal: maybeSignal, onProgress: undefined });
    const summary = await prefill({
      cache: assets,
      versioned: [vc],
      uris: undefined,
      signal: maybeSignal,
      onProgress: undefined,
    });
    assertEquals(summary.failed.length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
