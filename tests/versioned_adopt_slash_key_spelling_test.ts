/**
 * A key in a spelling vc does not read may carry a leading `/`, as
 * baiji-pod wrote keys (`/d/t.v1.4.0.csv`, `/d/t.1.4.0.csv/t.csv`). `vc path`
 * of that version named it as the object to copy and said `vc adopt`
 * copies every such key, yet `vc adopt` found none: its index of the
 * bucket's listing filed such a key under `/d/t`, never looked up. It now
 * adopts them too, to vc's key (`d/t.1.4.0.csv`).
 */
import { adoptOtherNamings } from "../src/versioned/adopt.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { workspace } from "./versioned_helpers.ts";

const text = (s: string) => new TextEncoder().encode(s);

for (const key of ["/d/t.v1.4.0.csv", "/d/t.01.4.0.csv", "/d/t.1.4.0.csv/t.csv"]) {
  Deno.test(`vc path names ${key} for vc adopt, and adopt copies it to vc's key`, async () => {
    await using memory = new MemoryStore();
    await memory.put(key, text("one four"));
    await using ws = await workspace({ bucket: "s3://b", open: () => Promise.resolve(memory) });
    const error = await ws.vc.path("/d/t.csv", "1.4.0").then(() => undefined, (e: Error) => e);
    assertStringIncludes(error?.message ?? "", `holds it as ${key}`);
    assertStringIncludes(error?.message ?? "", "copies every such key");
    const done = await adoptOtherNamings(memory, "/d/t.csv");
    assertEquals(done.map((v) => [v.key, v.vcKey, v.status]), [[key, "d/t.1.4.0.csv", "copied"]]);
  });
}
