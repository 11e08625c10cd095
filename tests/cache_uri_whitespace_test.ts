/**
 * A URI with stray whitespace (pasted with a trailing space, or a leading one
 * that makes it a local path) fails with a message that points at the space:
 * printed plainly, "s3://b/k " does not exist reads exactly like "s3://b/k".
 */
import { join } from "node:path";
import { toFileUrl } from "../src/path.ts";
import { assertRejects, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { InvalidInputError, NotFoundError } from "../src/errors.ts";

Deno.test("cache: a missing key that ends in whitespace says so", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-ws-" });
  try {
    const store = new MemoryStore();
    await store.put("k.json", new TextEncoder().encode("{}"));
    await using cache = new AssetCache({
      cacheDir: join(dir, "cache"),
      openStore: () => Promise.resolve(store),
    });
    const e = await assertRejects(() => cache.cache("s3://b/k.json "), NotFoundError);
    assertStringIncludes(e.message, "ends in whitespace");
    // A key without it says nothing of the kind.
    const plain = await assertRejects(() => cache.cache("s3://b/other.json"), NotFoundError);
    if (plain.message.includes("whitespace")) throw new Error(plain.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: a URI with a leading space is refused, saying which URI it meant", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-ws-" });
  try {
    await using cache = new AssetCache({ cacheDir: dir });
    const e = await assertRejects(() => cache.cache(" s3://b/k.json"), InvalidInputError);
    assertStringIncludes(e.message, 'did you mean "s3://b/k.json"');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: a missing file:// name that ends in whitespace says so, though printed escaped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-ws-" });
  try {
    await Deno.writeTextFile(join(dir, "a.json"), "{}");
    await using cache = new AssetCache({ cacheDir: join(dir, "cache") });
    // A list line `file:///…/a.json  ` keeps its spaces, as an s3:// key does;
    // its URI is then printed as `…/a.json%20%20`, which reads as another name.
    const uri = `${toFileUrl(join(dir, "a.json")).href}  `;
    const e = await assertRejects(() => cache.cache(uri), NotFoundError);
    assertStringIncludes(e.message, "file name ends in whitespace");
    assertStringIncludes(e.message, JSON.stringify(join(dir, "a.json  ")));
    const plain = await assertRejects(
      () => cache.cache(toFileUrl(join(dir, "b.json")).href),
      NotFoundError,
    );
    if (plain.message.includes("whitespace")) throw new Error(plain.message);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
