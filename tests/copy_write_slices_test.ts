/**
 * `copyFileAtomic` (what `vc sync` and `vc get` copy a cached file with)
 * reads in large chunks but hands the OS writes of at most 1 MiB: on ext4
 * one async 4 MiB `write` took ~11 ms where four 1 MiB ones took ~1 ms, so
 * a 1 GiB copy took 7–9 s against 1.1–1.4 s (scripts/bench/NOTES.md).
 * The copy stays whole, checked (`hash` sees every byte once, in order) and
 * its progress reaches the size.
 */
import { copyFileAtomic } from "../src/atomic_write.ts";
import { assert, assertEquals } from "./assert.ts";

/** Records the length of every `Deno.FsFile.write` while `body` runs. */
async function writeSizes(body: () => Promise<void>): Promise<number[]> {
  const sizes: number[] = [];
  const proto = Deno.FsFile.prototype;
  const original = proto.write;
  proto.write = function (this: Deno.FsFile, p: Uint8Array) {
    sizes.push(p.length);
    return original.call(this, p);
  };
  try {
    await body();
  } finally {
    proto.write = original;
  }
  return sizes;
}

Deno.test("copyFileAtomic: a 9 MiB copy is written in slices of at most 1 MiB, byte for byte", async () => {
  const dir = await Deno.makeTempDir({ prefix: "copy_write_slices_" });
  try {
    const size = 9 * 1024 * 1024 + 12345;
    const data = new Uint8Array(size);
    for (let i = 0; i < size; i++) data[i] = (i * 31 + (i >> 13)) & 0xff;
    await Deno.writeFile(`${dir}/src.bin`, data);
    const hashed: number[] = [];
    const progress: number[] = [];
    const sizes = await writeSizes(() =>
      copyFileAtomic(`${dir}/src.bin`, `${dir}/out/dest.bin`, {
        hash: () => ({ update: (chunk: Uint8Array) => hashed.push(chunk.length) }),
        onProgress: ({ bytes }) => progress.push(bytes),
      })
    );
    const big = sizes.filter((n) => n > 1024 * 1024);
    assertEquals(big, [], `writes over 1 MiB: ${big.join(", ")}`);
    assertEquals(sizes.reduce((a, b) => a + b, 0), size);
    assertEquals(await Deno.readFile(`${dir}/out/dest.bin`), data);
    assertEquals(hashed.reduce((a, b) => a + b, 0), size);
    assertEquals(progress.at(-1), size);
    assert(progress.every((b, i) => i === 0 || b >= progress[i - 1]!), "progress never goes back");
    assertEquals([...Deno.readDirSync(`${dir}/out`)].map((e) => e.name), ["dest.bin"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
