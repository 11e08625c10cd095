/**
 * `vc path` and `vc update` name a version kept under a spelling vc does not
 * read (`d/t.v1.4.0.csv`, `d/t.02.0.0.csv`, `d/t.2.1.0+ci.3.csv`, or inside a
 * folder named as its key, `d/t.3.0.0.csv/t.csv`) and say to copy it to vc's
 * key; `vc adopt`, the bulk copy for a bucket migrated from another tool,
 * adopted `d/t_v1.1.0.csv` but said the bucket "holds no keys in another
 * naming" of `d/t.v1.4.0.csv`. It now adopts those spellings too, never over
 * a key vc reads, and passes over a folder beside the version it is named as.
 */
import { adoptOtherNamings } from "../src/versioned/adopt.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("adopt copies keys in spellings vc does not read to vc's key for their version", async () => {
  await using store = new MemoryStore();
  const keys = {
    "d/t.v1.4.0.csv": "v-prefixed",
    "d/t.02.0.0.csv": "leading zero",
    "d/t.2.1.0+ci.3.csv": "build metadata",
    "d/t.3.0.0.csv/t.csv": "uploaded into a folder",
    "d/t.1.0.0.csv": "vc's own",
    "d/t.1.0.0.csv/part0.csv": "a folder beside vc's own 1.0.0",
    "d/t.5.0.0+a.csv": "five a",
    "d/t.5.0.0+b.csv": "five b",
  };
  for (const [key, body] of Object.entries(keys)) await store.put(key, text(body));
  const done = await adoptOtherNamings(store, "/d/t.csv");
  assertEquals(done.map((v) => [v.key, v.vcKey, v.status]), [
    ["d/t.v1.4.0.csv", "d/t.1.4.0.csv", "copied"],
    ["d/t.02.0.0.csv", "d/t.2.0.0.csv", "copied"],
    ["d/t.2.1.0+ci.3.csv", "d/t.2.1.0.csv", "copied"],
    ["d/t.3.0.0.csv/t.csv", "d/t.3.0.0.csv", "copied"],
    ["d/t.5.0.0+a.csv", "d/t.5.0.0.csv", "conflict"],
    ["d/t.5.0.0+b.csv", "d/t.5.0.0.csv", "conflict"],
  ]);
  const read = async (key: string) => {
    const { body } = await store.get(key);
    return new TextDecoder().decode(await new Response(body).arrayBuffer());
  };
  assertEquals(await read("d/t.1.4.0.csv"), "v-prefixed");
  assertEquals(await read("d/t.3.0.0.csv"), "uploaded into a folder");
  assertEquals(await read("d/t.1.0.0.csv"), "vc's own");
  // Run again: each is there already, nothing to do (the folder now beside
  // its version is a folder like any other).
  const again = await adoptOtherNamings(store, "/d/t.csv");
  assertEquals(again.map((v) => [v.key, v.status]), [
    ["d/t.v1.4.0.csv", "present"],
    ["d/t.02.0.0.csv", "present"],
    ["d/t.2.1.0+ci.3.csv", "present"],
    ["d/t.5.0.0+a.csv", "conflict"],
    ["d/t.5.0.0+b.csv", "conflict"],
  ]);
});

Deno.test("vc adopt of a pin held as foo/bar.v1.4.0.csv makes vc path read it", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/foo/bar.v1.4.0.csv", "one four\n");
  await ws.write("versioned_assets.json", '{\n    "/foo/bar.csv": "1.4.0"\n}\n');
  const adopted = await ws.vc("adopt");
  assertEquals(adopted.code, 0, adopted.stderr);
  assertStringIncludes(adopted.stdout, "foo/bar.v1.4.0.csv -> foo/bar.1.4.0.csv");
  const cat = await ws.vc("cat", "/foo/bar.csv");
  assertEquals(cat.code, 0, cat.stderr);
  assertEquals(cat.stdout, "one four\n");
});
