// A version's key can also be a folder (`d/x.1.0.0.csv` and, beside it,
// `d/x.1.0.0.csv/part0.csv`…: another tool unpacking a version next to it,
// or a second upload to the key with a trailing `/`). The listing read such a
// folder whole, as it reads a folder named as a *missing* version's key for
// its warning, and warned of every key in it: "copy it to d/x.1.0.0.csv to
// make it that version", advice to overwrite a version the bucket holds
// (versions are never replaced), once a key, the cap of 20 warnings filled
// with it before any other. Beside a version the bucket holds, such a folder
// is a folder like any other: stepped over, said nothing of.
import { MemoryStore } from "../src/store/memory.ts";
import type { ListOptions, ObjectInfo } from "../src/store/types.ts";
import { listVersionKeys } from "../src/versioned/slash_keys.ts";
import { assert, assertEquals } from "./assert.ts";
import { overriding } from "./overriding.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

const ONE = new Uint8Array([1]);

async function bucketWithFolders(): Promise<MemoryStore> {
  const memory = new MemoryStore();
  await memory.put("d/x.1.0.0.csv", ONE);
  await memory.put("d/x.1.0.0.csv.bak", ONE); // sorts between the key and its folder
  for (let i = 0; i < 2000; i++) {
    await memory.put(`d/x.1.0.0.csv/part${String(i).padStart(4, "0")}.csv`, ONE);
  }
  await memory.put("d/x.2.0.0.csv", ONE);
  await memory.put("/d/x.2.5.0.csv", ONE); // a version under the `/` key
  await memory.put("/d/x.2.5.0.csv/inner.csv", ONE);
  await memory.put("d/x.3.0.0.csv/x.csv", ONE); // a missing version's folder: still named
  return memory;
}

function counting(memory: MemoryStore, ignoreStartAfter: boolean) {
  const seen = { listed: 0 };
  const list = async function* (prefix: string, options?: ListOptions) {
    let given = options;
    if (ignoreStartAfter && options !== undefined) {
      const { startAfter: _ignored, ...rest } = options;
      given = rest;
    }
    for await (const info of memory.list(prefix, given)) {
      seen.listed++;
      yield info as ObjectInfo;
    }
  };
  return { store: overriding(memory, { list }), seen };
}

for (const ignoreStartAfter of [false, true]) {
  Deno.test(
    `versions: a folder named as the key of a version the bucket holds is no foreign version${
      ignoreStartAfter ? " (a store ignoring startAfter)" : ", and is stepped over"
    }`,
    async () => {
      await using memory = await bucketWithFolders();
      const { store, seen } = counting(memory, ignoreStartAfter);
      const foreign: string[] = [];
      const found = await listVersionKeys(store, "/d/x.csv", {
        onForeign: (f) => foreign.push(f.key),
      });
      assertEquals([...found.keys()].sort(), ["1.0.0", "2.0.0", "2.5.0"]);
      assertEquals(found.get("1.0.0"), "d/x.1.0.0.csv");
      assertEquals(foreign, ["d/x.3.0.0.csv/x.csv"]);
      if (!ignoreStartAfter) assert(seen.listed < 50, `${seen.listed} keys listed for 3 versions`);
    },
  );
}

Deno.test("vc versions and update say nothing of a folder beside a version the bucket holds", async () => {
  await using memory = await bucketWithFolders();
  await using ws = await workspace({ bucket: "s3://b", open: () => Promise.resolve(memory) });
  const warnings: string[] = [];
  const onWarning = (w: { message: string }) => void warnings.push(w.message);
  assertEquals(await ws.vc.versions("/d/x.csv", { onWarning }), ["1.0.0", "2.0.0", "2.5.0"]);
  const folders = warnings.filter((w) => w.includes("inside a folder"));
  assertEquals(folders.length, 1, warnings.join("\n"));
  assert(folders[0]!.startsWith("d/x.3.0.0.csv/x.csv in the bucket"), folders[0]);

  warnings.length = 0;
  await Deno.writeTextFile(ws.manifest, '{"/d/x.csv": "2.0.0"}\n');
  const file = await writeFile(ws.dir, "x.csv", "new\n");
  const r = await ws.vc.update("/d/x.csv", file, { patch: true }, { onWarning });
  assertEquals(r.to, "2.5.1");
  assert(!warnings.some((w) => w.includes("d/x.1.0.0.csv/")), warnings.join("\n"));
});

Deno.test("versions: a folder named as a version's key beside that version under its other key is no foreign version", async () => {
  await using memory = new MemoryStore();
  await memory.put("/d/x.1.0.0.csv", ONE); // 1.0.0, read from its `/` key
  await memory.put("d/x.1.0.0.csv/part0.csv", ONE);
  await memory.put("d/x.2.0.0.csv", ONE); // 2.0.0, read from its own key
  await memory.put("/d/x.2.0.0.csv/part0.csv", ONE);
  await memory.put("d/x.3.0.0.csv/x.csv", ONE); // a missing version's folder: still named
  const foreign: string[] = [];
  const found = await listVersionKeys(memory, "/d/x.csv", {
    onForeign: (f) => foreign.push(f.key),
  });
  assertEquals([...found.keys()].sort(), ["1.0.0", "2.0.0"]);
  assertEquals(foreign, ["d/x.3.0.0.csv/x.csv"]);
});
