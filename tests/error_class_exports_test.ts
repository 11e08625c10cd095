/**
 * Every error class a caller may handle (a `VcError` subclass, anywhere in
 * the library) is exported by an entry point of deno.json "exports", so a
 * user of the JSR package can `instanceof` it: before, a damaged SQLite
 * catalog rejected `Repository.open` with a `CatalogDamagedError` no entry
 * point exported.
 */
import { join } from "node:path";
import { assert, assertEquals } from "./assert.ts";
import { walkFiles } from "../src/walk.ts";
import { CatalogDamagedError, CatalogUnavailableError, Repository } from "../src/repo/mod.ts";

const root = new URL("..", import.meta.url).pathname;

/** Class name → parent class name, for every `class X extends Y` of the library's code. */
async function classParents(): Promise<Map<string, string>> {
  const parents = new Map<string, string>();
  for await (const entry of walkFiles(join(root, "src"))) {
    // The CLI is no library code: its errors are for its own exit codes. The
    // fake S3 server's errors become its HTTP answers, never reach a caller.
    if (!entry.key.endsWith(".ts") || /^(cli|testing\/fake_s3)\//.test(entry.key)) continue;
    const text = await Deno.readTextFile(entry.path);
    for (const m of text.matchAll(/^export class (\w+) extends (\w+)/gm)) {
      parents.set(m[1]!, m[2]!);
    }
  }
  return parents;
}

function isVcError(name: string, parents: Map<string, string>): boolean {
  // Bounded by the number of classes: a chain cannot be longer.
  for (let i = 0, n: string | undefined = name; n !== undefined && i <= parents.size; i++) {
    if (n === "VcError") return true;
    n = parents.get(n);
  }
  return false;
}

Deno.test("every VcError subclass is exported by an entry point of deno.json", async () => {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const exported = new Set<string>();
  for (const path of Object.values(config.exports as Record<string, string>)) {
    for (const name of Object.keys(await import(new URL(path, `file://${root}`).href))) {
      exported.add(name);
    }
  }
  const parents = await classParents();
  assert(parents.size > 10, `found only ${parents.size} classes under src/`);
  const missing = [...parents.keys()].filter((n) => isVcError(n, parents) && !exported.has(n));
  assertEquals(missing, []);
});

Deno.test("a damaged SQLite catalog is a CatalogDamagedError the user can import", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_catalog_damaged_" });
  try {
    const catalog = `sqlite:${dir}/c.sqlite`;
    await (await Repository.init(`file://${dir}/repo`, { catalog })).close();
    await Deno.writeTextFile(`${dir}/c.sqlite`, "x".repeat(5000));
    let error: unknown;
    try {
      await (await Repository.open(`file://${dir}/repo`)).close();
    } catch (e) {
      error = e;
    }
    assert(error instanceof CatalogDamagedError, `expected CatalogDamagedError, got ${error}`);
    assert(error instanceof CatalogUnavailableError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the main entry exports what its prefill and VersionedCache.sync reject with on abort", async () => {
  // The README's `import { VersionedCache } from "jsr:@vc/vc"` and its
  // `prefill` reject with these; they were only in ./versioned and ./prefill.
  const main = await import("../mod.ts");
  const prefillEntry = await import("../src/prefill/mod.ts");
  const versionedEntry = await import("../src/versioned/mod.ts");
  const mainExports: Record<string, unknown> = main;
  assert(mainExports.PrefillInterruptedError === prefillEntry.PrefillInterruptedError);
  assert(mainExports.SyncInterruptedError === versionedEntry.SyncInterruptedError);
  const dir = await Deno.makeTempDir({ prefix: "vc_main_errors_" });
  try {
    await Deno.writeTextFile(`${dir}/a.txt`, "a");
    await using cache = new main.AssetCache({ cacheDir: `${dir}/cache`, configPath: false });
    const controller = new AbortController();
    const run = main.prefill({
      cache,
      uris: [`file://${dir}/a.txt`],
      signal: controller.signal,
      onProgress: () => controller.abort(new Error("stop")),
    });
    const error = await run.catch((e) => e);
    assert(error instanceof prefillEntry.PrefillInterruptedError, `got ${error}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
