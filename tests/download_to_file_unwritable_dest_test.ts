/**
 * `downloadToFile(store, key, dest)` with a `dest` no file can be written
 * to (an existing directory, or a path below a file) fetched the whole
 * object first and then failed with Deno's bare `IsADirectory` /
 * `NotADirectory` naming only its temp file. Now it is refused before any
 * request, as an `InvalidInputError` naming the destination.
 */
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { downloadToFile, MemoryStore } from "../src/store/mod.ts";
import type { GetOptions, GetResult } from "../src/store/mod.ts";

class CountingStore extends MemoryStore {
  gets = 0;
  override get(key: string, options?: GetOptions): Promise<GetResult> {
    this.gets++;
    return super.get(key, options);
  }
}

Deno.test("downloadToFile: a destination that is a directory or below a file is refused before any request", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-download-dest-" });
  try {
    await using store = new CountingStore();
    await store.put("k.csv", new TextEncoder().encode("a,b\n"));
    await Deno.mkdir(`${dir}/out`);
    await Deno.writeTextFile(`${dir}/file`, "in the way");
    const cases: [string, string][] = [
      [`${dir}/out`, "is a directory"],
      [`${dir}/file/k.csv`, "a file is where one of its directories belongs"],
    ];
    for (const [dest, why] of cases) {
      const e = await assertRejects(() => downloadToFile(store, "k.csv", dest), InvalidInputError);
      assertStringIncludes(e.message, dest);
      assertStringIncludes(e.message, why);
    }
    assertEquals(store.gets, 0);
    assertEquals(await Deno.readTextFile(`${dir}/file`), "in the way");
    assertEquals([...Deno.readDirSync(`${dir}/out`)], []);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["file", "out"]);
    // A path to a new file still works, its directories made.
    await downloadToFile(store, "k.csv", `${dir}/new/k.csv`);
    assertEquals(await Deno.readTextFile(`${dir}/new/k.csv`), "a,b\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
