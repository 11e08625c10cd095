/**
 * A callback whose result vc waits for is typed to return `unknown`, as
 * `copyVerified`'s `onWritten` was: sync or async, whatever it returns.
 * `updateManifest`'s and `updateLockFile`'s `change` were typed
 * `void | Promise<void>`, so `(m) => delete m[path]` (a boolean) or an
 * async change that returned its entries did not type-check; a put's
 * `beforeCommit` was `() => Promise<void>`, so a synchronous check had to be
 * written `async`, and a contract suite's `cleanup` likewise. This file
 * type-checks only with the new types; its cases show the calls work.
 */
import { assertEquals, assertRejects } from "./assert.ts";
import { isCompletion, TINY_MULTIPART } from "./s3_tiny_multipart.ts";
import { startS3Proxy } from "./s3_proxy.ts";
import {
  readLockFile,
  readManifest,
  updateLockFile,
  updateManifest,
} from "../src/versioned/mod.ts";
import type { PutOptions } from "../src/store/mod.ts";
import { MemoryStore, type StoreUnderTest } from "../src/testing/mod.ts";

Deno.test("updateManifest and updateLockFile take a change that returns a value", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_change_returns_value_" });
  try {
    const manifest = `${dir}/m.json`;
    await updateManifest(
      manifest,
      (m) => Object.assign(m, { "/a.csv": "1.0.0", "/b.csv": "1.0.0" }),
    );
    // `delete` answers a boolean: the change's result is not looked at.
    await updateManifest(manifest, (m) => delete m["/a.csv"]);
    // An async change that resolves to its entries is waited for.
    await updateManifest(manifest, async (m) => {
      await new Promise((r) => setTimeout(r, 1));
      m["/c.csv"] = "2.0.0";
      return m;
    });
    assertEquals(await readManifest(manifest), { "/b.csv": "1.0.0", "/c.csv": "2.0.0" });
    const lock = `${dir}/l.json`;
    const entry = { size: 0, sha256: "0".repeat(64) };
    await updateLockFile(lock, (e) => Object.assign(e, { "/a@1.0.0": entry, "/b@1.0.0": entry }));
    await updateLockFile(lock, (e) => delete e["/a@1.0.0"]);
    assertEquals(Object.keys(await readLockFile(lock) ?? {}), ["/b@1.0.0"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a put's beforeCommit may be synchronous: what it throws aborts the upload", async () => {
  const seen = { completions: 0 };
  await using proxied = await startS3Proxy(async (req, forward) => {
    if (isCompletion(req)) seen.completions++;
    return await forward();
  }, { fake: { minPartSize: 1 }, store: TINY_MULTIPART });
  const body = new Uint8Array(10).fill(7);
  const checks: string[] = [];
  const check: PutOptions["beforeCommit"] = () => checks.push("checked");
  await proxied.store.put("ok.bin", body, { beforeCommit: check });
  assertEquals(checks, ["checked"]);
  assertEquals((await proxied.direct.head("ok.bin"))?.size, 10);
  const refused = new Error("the file changed while it was read");
  await assertRejects(
    () =>
      proxied.store.put("no.bin", body, {
        beforeCommit: () => {
          throw refused;
        },
      }),
    Error,
    refused.message,
  );
  assertEquals(seen.completions, 1);
  assertEquals(await proxied.direct.head("no.bin"), undefined);
});

Deno.test("a store contract's cleanup may be synchronous", async () => {
  const store = new MemoryStore();
  let cleaned = false;
  const sut: StoreUnderTest = {
    store,
    cleanup: () => {
      cleaned = true;
    },
  };
  await sut.cleanup();
  assertEquals(cleaned, true);
});
