/**
 * A local → store `--dry-run` read every new file (and every file whose
 * size differs from its object) whole to hash it, though nothing was
 * uploaded and nothing remembered: a dry run of a first mirror of a large
 * tree read all of it (100 MB: 0.7 s; 500 GB: hours). Only a file of its
 * object's size needs its content to tell whether it would be uploaded.
 */
import { join } from "node:path";
import { mirror } from "../src/mirror/mirror.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { assertEquals } from "./assert.ts";
import { tempDir, upOptions } from "./mirror_helpers.ts";

Deno.test("mirror --dry-run: new files and files of another size are not read to be hashed", async () => {
  await using w = await tempDir();
  await using store = new MemoryStore();
  const src = join(w.dir, "src");
  await Deno.mkdir(src);
  await Deno.writeTextFile(join(src, "new.txt"), "new");
  await Deno.writeTextFile(join(src, "grown.txt"), "longer now");
  await Deno.writeTextFile(join(src, "same-size.txt"), "bbb");
  await store.put("grown.txt", new TextEncoder().encode("short"));
  await store.put("same-size.txt", new TextEncoder().encode("aaa"));
  const steps: string[] = [];
  const report = await mirror(
    upOptions(w.dir, store, {
      dryRun: true,
      onProgress: (p) => void (p.step?.name === "hashing" && steps.push(p.current!)),
    }),
  );
  assertEquals(report.actions?.map((a) => [a.action, a.key, a.size]), [
    ["upload", "grown.txt", 10],
    ["upload", "new.txt", 3],
    ["upload", "same-size.txt", 3],
  ]);
  assertEquals([report.transferred, report.bytes], [3, 16]);
  // Only the file of its object's size was read: its content decides.
  assertEquals(report.hashed, 1);
  assertEquals(steps.filter((k) => k !== "same-size.txt"), []);
});
