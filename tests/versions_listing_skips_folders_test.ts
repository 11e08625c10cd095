// Listing the versions of `/d/x.csv` lists the keys under `d/x.`, and a
// bucket another tool filled may keep a whole tree there: `d/x.2017/…` (a
// dataset's images beside its `x.csv` annotations), `d/x.parts/…`. Every key
// of it was listed, page by page (a million keys: a thousand LISTs), for
// `vc versions`, `add`, `update` and every missing-version error, though no
// key inside a folder can be a version. The listing now steps over such a
// folder after its first key; a folder named as a version's key
// (`d/x.3.0.0.csv/x.csv`, baiji-pod's upload to a location ending in `/`)
// is still read, for its warning.
import { MemoryStore } from "../src/store/memory.ts";
import type { ListOptions, ObjectInfo } from "../src/store/types.ts";
import { listVersionKeys } from "../src/versioned/slash_keys.ts";
import { assert, assertEquals } from "./assert.ts";
import { overriding } from "./overriding.ts";
import { BACKENDS } from "./mirror_helpers.ts";

Deno.test("versions: a large folder under the versions' prefix is stepped over, not listed key by key", async () => {
  await using memory = new MemoryStore();
  const one = new Uint8Array([1]);
  await memory.put("d/x.1.0.0.csv", one);
  for (let i = 0; i < 3000; i++) {
    await memory.put(`d/x.0images/img${String(i).padStart(5, "0")}.jpg`, one);
  }
  for (let i = 0; i < 500; i++) await memory.put(`d/x.1.0.0.parts/p${i}`, one);
  await memory.put("d/x.2.0.0-rc.1.csv", one);
  await memory.put("d/x.3.0.0.csv/x.csv", one); // a folder named as a version's key
  await memory.put("d/x.3.0.0.csv/y.csv", one);
  await memory.put("d/x.4.0.0.csv", one);
  for (let i = 0; i < 500; i++) await memory.put(`d/x.zz/deep/k${i}`, one);
  await memory.put("d/x.zzz.1.0.0.csv", one); // another path's version
  let listed = 0;
  const list = async function* (prefix: string, options?: ListOptions) {
    for await (const info of memory.list(prefix, options)) {
      listed++;
      yield info as ObjectInfo;
    }
  };
  const store = overriding(memory, { list });
  const foreign: string[] = [];
  const found = await listVersionKeys(store, "/d/x.csv", {
    onForeign: (f) => foreign.push(f.key),
  });
  assertEquals([...found.keys()].sort(), ["1.0.0", "2.0.0-rc.1", "4.0.0"]);
  assertEquals(found.get("4.0.0"), "d/x.4.0.0.csv");
  // The folder named as a version's key is read whole, as before.
  assertEquals(foreign, ["d/x.3.0.0.csv/x.csv", "d/x.3.0.0.csv/y.csv"]);
  assert(listed < 50, `${listed} keys listed for 4 versions`);
});

// The step past a folder is a `startAfter` of 1,024 bytes ending in U+10FFFF:
// signed, sent and honoured alike by S3Store on the fake server, FsStore and
// (deno task test:compat) moto.
for (const backend of BACKENDS) {
  Deno.test({
    name: `${backend.name}: versions are listed past a folder under their prefix`,
    ignore: backend.ignore,
    async fn() {
      await using b = await backend.make();
      const one = new Uint8Array([1]);
      await b.store.put("d/x.1.0.0.csv", one);
      for (let i = 0; i < 30; i++) await b.store.put(`d/x.0images/é ${i}.jpg`, one);
      await b.store.put("d/x.0images.csv", one); // sorts before the folder's keys
      await b.store.put("d/x.2.0.0.csv", one);
      for (let i = 0; i < 30; i++) await b.store.put(`d/x.1.0.0.parts/\u{1F600}/${i}`, one);
      await b.store.put("d/x.3.0.0.csv", one);
      let listed = 0;
      const list = async function* (prefix: string, options?: ListOptions) {
        for await (const info of b.store.list(prefix, options)) {
          listed++;
          yield info as ObjectInfo;
        }
      };
      const store = overriding(b.store, { list });
      const found = await listVersionKeys(store, "/d/x.csv");
      assertEquals([...found.keys()].sort(), ["1.0.0", "2.0.0", "3.0.0"]);
      assert(listed < 10, `${listed} keys listed`);
    },
  });
}
