/**
 * `copyVerified`'s `onWritten` (new today) is typed as every other callback
 * option of the library is taken: a callback whose body is an expression
 * (`(w) => seen.push(w)`, a number) type-checks. Its type was
 * `=> void | Promise<void>`, which TypeScript holds a returned value
 * against, so `deno check` refused the usual form (its own test had to
 * write `(w) => void (written = w)`). A promise it returns is still waited
 * for: its rejection leaves `dest` as it was.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { AssetCache } from "../mod.ts";
import type { CopyVerifiedOptions } from "../mod.ts";

Deno.test("onWritten: an expression-bodied callback type-checks and is told the bytes written", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc_copy_on_written_" });
  try {
    await Deno.writeTextFile(`${root}/x.txt`, "abc");
    await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
    const path = await cache.cache(`file://${root}/x.txt`);
    const seen: Array<{ bytes: number; sha256: string }> = [];
    const options: CopyVerifiedOptions = { onWritten: (w) => seen.push(w) };
    await cache.copyVerified(path, `${root}/out.txt`, options);
    assertEquals(seen, [{
      bytes: 3,
      sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    }]);
    assertEquals(await Deno.readTextFile(`${root}/out.txt`), "abc");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("onWritten: a promise it returns is waited for; its rejection leaves dest as it was", async () => {
  const root = await Deno.makeTempDir({ prefix: "vc_copy_on_written_" });
  try {
    await Deno.writeTextFile(`${root}/x.txt`, "abc");
    await Deno.writeTextFile(`${root}/out.txt`, "old");
    await using cache = new AssetCache({ cacheDir: `${root}/cache`, configPath: false });
    const path = await cache.cache(`file://${root}/x.txt`);
    await assertRejects(
      () =>
        cache.copyVerified(path, `${root}/out.txt`, {
          onWritten: () => Promise.reject(new Error("journal full")),
        }),
      Error,
      "journal full",
    );
    assertEquals(await Deno.readTextFile(`${root}/out.txt`), "old");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
