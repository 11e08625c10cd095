/**
 * The public option types take an explicit `undefined` for any optional
 * property, as a strict consumer (`exactOptionalPropertyTypes`, this
 * project's own setting) writes them when passing a value that may be
 * missing. This file fails type checking when they do not.
 */
import { assertEquals } from "./assert.ts";
import { AssetCache, prefill, VersionedCache } from "../mod.ts";
import { startFakeS3 } from "../src/testing/mod.ts";

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

// The nested options (`store.s3`, `store.file`, `download`) and `env` were
// left out: a strict consumer's `{ s3: { region: process.region } }` with a
// value that may be missing failed type checking, though it works.
Deno.test("AssetCache's nested store and download options accept an explicit undefined", async () => {
  await using s3 = await startFakeS3({ buckets: ["b"] });
  await s3.putObject("b", "k.csv", "k");
  const dir = await Deno.makeTempDir();
  try {
    const maybe = <T>(): T | undefined => undefined;
    await Deno.writeTextFile(`${dir}/a.csv`, "a");
    await using assets = new AssetCache({
      cacheDir: `${dir}/cache`,
      configPath: false,
      env: maybe<Record<string, string>>(),
      store: {
        s3: {
          endpoint: s3.url,
          region: maybe<string>(),
          forcePathStyle: maybe<boolean>(),
          credentials: { accessKeyId: "test", secretAccessKey: "test" },
          maxAttempts: maybe<number>(),
          requestTimeoutMs: maybe<number>(),
          env: maybe<(name: string) => string | undefined>(),
          http1: maybe<boolean>(),
        },
        file: { sidecars: maybe<"read-only">(), onHashProgress: undefined },
      },
      download: {
        concurrency: maybe<number>(),
        partSize: maybe<number>(),
        parallelThreshold: maybe<number>(),
        attempts: maybe<number>(),
      },
    });
    assertEquals(await Deno.readTextFile(await assets.cache(`file://${dir}/a.csv`)), "a");
    assertEquals(await Deno.readTextFile(await assets.cache("s3://b/k.csv")), "k");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
