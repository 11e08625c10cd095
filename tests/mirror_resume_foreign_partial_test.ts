/**
 * A store → local mirror's large download goes into the file's shared temp
 * name (`.<name>.vc-tmp-0-shared`) to be resumable, and that file becomes
 * the mirrored file. One found there that another user owns (planted in a
 * target others may write to, such as a sticky shared directory) is not
 * written into: committed, it would stay theirs, and they could change the
 * mirrored file's content after vc verified it. The download goes into a
 * temp file of its own instead, as before resuming existed.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { md5Hex } from "../src/hash.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { randomBytes } from "./fixtures/fault_store.ts";
import { testS3Store } from "./versioned_helpers.ts";
import { assertEquals } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";

const MiB = 1024 * 1024;
const NOBODY = 65534;

function isRoot(): boolean {
  try {
    return Deno.build.os !== "windows" && Deno.uid() === 0;
  } catch {
    return false;
  }
}

Deno.test({
  name: "mirror store → local: a shared temp file another user owns is not written into",
  // Planting a file of another user takes root (chown).
  ignore: !isRoot(),
  async fn() {
    const s3 = await startFakeS3({ buckets: ["b"] });
    const store = testS3Store(s3, "b");
    await using w = await tempDir();
    try {
      const data = randomBytes(4 * MiB, 31);
      await s3.putObject("b", "d/big.bin", data);
      const target = join(w.dir, "dl");
      await Deno.mkdir(target);
      const planted = join(target, ".big.bin.vc-tmp-0-shared");
      await Deno.writeFile(planted, new Uint8Array(0), { mode: 0o666 });
      await Deno.chmod(planted, 0o666);
      await Deno.chown(planted, NOBODY, NOBODY);
      const report = await mirror({
        sources: [store],
        sourcePrefix: "d",
        target,
        statePath: join(w.dir, "s.db"),
        download: { parallelThreshold: MiB, partSize: MiB },
      });
      assertEquals(report.failed, []);
      const file = join(target, "big.bin");
      assertEquals(md5Hex(await Deno.readFile(file)), md5Hex(data));
      const info = await Deno.stat(file);
      assertEquals([info.uid, info.nlink], [Deno.uid(), 1], "vc's own file, no other name");
    } finally {
      await store.close();
      await s3[Symbol.asyncDispose]();
    }
  },
});
