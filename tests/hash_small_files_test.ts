// A cache restored without its times (`cp -r`, `rsync -r`, GNU tar's
// whole seconds, a `touch`) has every entry hashed once on first use, and
// `vc cache verify` and `vc mirror` hash whole trees: the hash of a small
// file must cost about what reading it does. Two 8 MiB read buffers zeroed
// for each file made re-checking 1,100 restored 12-byte entries take longer
// (3.4 s) than downloading them (2.4 s).
import { assertEquals } from "./assert.ts";
import { md5File, md5Hex, sha256File } from "../src/hash.ts";
import { createHash } from "node:crypto";

/** The largest `new Uint8Array(n)` that `run` makes (through the global constructor). */
async function largestAllocation(run: () => Promise<unknown>): Promise<number> {
  const Original = globalThis.Uint8Array;
  let largest = 0;
  class Spy extends Original {
    // deno-lint-ignore no-explicit-any
    constructor(...args: any[]) {
      // deno-lint-ignore no-explicit-any
      super(...(args as [any]));
      if (typeof args[0] === "number") largest = Math.max(largest, args[0]);
    }
  }
  globalThis.Uint8Array = Spy as Uint8ArrayConstructor;
  try {
    await run();
  } finally {
    globalThis.Uint8Array = Original;
  }
  return largest;
}

Deno.test("md5File and sha256File of a small file read it with buffers of its size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/small.txt`;
    await Deno.writeTextFile(path, "content 1\n");
    let md5 = "";
    let sha256 = "";
    const largest = await largestAllocation(async () => {
      md5 = await md5File(path);
      sha256 = await sha256File(path);
    });
    assertEquals(md5, md5Hex("content 1\n"));
    assertEquals(sha256, createHash("sha256").update("content 1\n").digest("hex"));
    assertEquals(largest < 64 * 1024, true, `allocated ${largest} bytes to hash 10`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("md5File sized by the file still hashes empty files, tails and ranges", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const empty = `${dir}/empty`;
    await Deno.writeFile(empty, new Uint8Array(0));
    assertEquals(await md5File(empty), md5Hex(""));
    assertEquals(await md5File(empty, { length: 0 }), md5Hex(""));
    const data = new TextEncoder().encode("0123456789abcdef");
    const path = `${dir}/f.bin`;
    await Deno.writeFile(path, data);
    assertEquals(await md5File(path), md5Hex(data));
    assertEquals(await md5File(path, { start: 10 }), md5Hex(data.subarray(10)));
    assertEquals(await md5File(path, { start: 4, length: 5 }), md5Hex(data.subarray(4, 9)));
    // A range past the end reads what is there (a part of a truncated copy).
    assertEquals(await md5File(path, { start: 12, length: 100 }), md5Hex(data.subarray(12)));
    assertEquals(await md5File(path, { start: 100 }), md5Hex(""));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
