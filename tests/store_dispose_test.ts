// `await using` on the stores and the mirror: each is AsyncDisposable, and
// `openStore` says so in its type, so a user's code type checks without a
// try/finally around close().
import { openStore } from "../mod.ts";
import { FsStore, MemoryStore, S3Store } from "../src/store/mod.ts";
import { Mirror } from "../src/mirror/mod.ts";
import { assert, assertEquals } from "./assert.ts";

Deno.test("stores and Mirror are AsyncDisposable", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/src`);
    await Deno.writeTextFile(`${dir}/src/a.txt`, "a");
    {
      await using store = await openStore(`file://${dir}/bucket`);
      await store.put("k", new TextEncoder().encode("v"));
      await using fs = new FsStore(`${dir}/bucket`);
      assertEquals((await fs.head("k"))?.size, 1);
      await using mem = new MemoryStore();
      await mem.put("k", new TextEncoder().encode("v"));
      await using mirror = await Mirror.open({
        sources: [`${dir}/src`],
        target: `file://${dir}/out`,
        statePath: `${dir}/state.sqlite`,
      });
      assertEquals((await mirror.run()).transferred, 1);
    }
    let closed = false;
    {
      await using s3 = new S3Store({ bucket: "b", region: "us-east-1" });
      const close = s3.close.bind(s3);
      s3.close = () => {
        closed = true;
        return close();
      };
    }
    assert(closed, "S3Store's [Symbol.asyncDispose] closes it");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
