/**
 * Two `vc add`s of one name in its two Unicode spellings (NFC "é", NFD "e" +
 * accent), run at once: each looked at the manifest before the other pinned,
 * so the first look finds nothing. The pin under the manifest's lock looks
 * again, so the second one is refused instead of forking the asset unseen.
 */
import { join } from "node:path";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { readManifest, updateManifest } from "../src/versioned/manifest.ts";
import type { PutBody, PutOptions, PutResult } from "../src/store/types.ts";
import { workspace, WrappingStore } from "./versioned_helpers.ts";

const NFC = "/data/caf\u00e9.csv";
const NFD = "/data/cafe\u0301.csv";

Deno.test("vc add: the other Unicode spelling pinned meanwhile by another process is refused under the lock", async () => {
  let manifest = "";
  // The other process pins the NFD spelling while this one uploads the NFC one.
  class OtherWriterDuringUpload extends WrappingStore {
    override async put(key: string, body: PutBody, options?: PutOptions): Promise<PutResult> {
      const result = await this.inner.put(key, body, options);
      if (key.includes("caf")) {
        await updateManifest(manifest, (m) => {
          m[NFD] = "1.0.0";
        });
      }
      return result;
    }
  }
  await using ws = await workspace({ wrap: (s) => new OtherWriterDuringUpload(s) });
  manifest = ws.manifest;
  await Deno.writeTextFile(ws.manifest, "{}\n");
  const file = join(ws.dir, "cafe.csv");
  await Deno.writeTextFile(file, "a,b\n");
  const error = await assertRejects(() => ws.vc.add(NFC, file));
  const message = (error as Error).message;
  assertStringIncludes(message, "NFC vs NFD");
  assertStringIncludes(message, "did not pin it in");
  // Not the advice to pin it by hand: that would fork the asset.
  assertEquals(message.includes("by hand"), false, message);
  // The manifest holds the other process's pin only: one asset, one spelling.
  assertEquals(await readManifest(ws.manifest), { [NFD]: "1.0.0" });
});
