/**
 * A store → local mirror whose download cannot be written for want of room
 * (the target's disk full, or past the process's file-size limit, `ulimit -f`
 * of a CI runner) said only the OS text under the local path
 * (`…/big.bin: File too large (os error 27)`): it named no object, no limit
 * and no way out, and did not say whether the file there was damaged. Now it
 * names the object, what stopped the write, that the file there is as it
 * was, and what to do.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { childEnv, ok, vcCommand, withWorkspace } from "./cli_process.ts";
import { downloadFailure } from "../src/mirror/report.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test({
  name:
    "mirror store → local past the file-size limit names the object and the limit, and keeps the file (ignored off Linux: bash's ulimit)",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withWorkspace(async (dir, vc) => {
      const bucket = join(dir, "src");
      await Deno.mkdir(join(bucket, "p"), { recursive: true });
      await Deno.writeTextFile(join(bucket, "p", "small.txt"), "small\n");
      const source = pathToFileURL(join(bucket, "p")).href;
      const target = join(dir, "dl");
      // Unlimited first: Deno writes its code cache then, not under the limit.
      ok(await vc(["mirror", source, target]), "first mirror");
      await Deno.writeFile(join(bucket, "p", "big.bin"), new Uint8Array(300 * 1024).fill(7));
      await Deno.writeTextFile(join(target, "big.bin"), "the user's old copy\n");
      const run = await vcCommand(dir, childEnv(dir), ["mirror", source, target], undefined, {
        fileSizeLimitKib: 100,
      }).output();
      const stderr = decode(run.stderr);
      assertEquals([run.code, run.signal], [1, null], stderr);
      const line = stderr.split("\n").find((l) => l.includes("big.bin"));
      assert(line !== undefined, stderr);
      assert(line.includes(`${source}/big.bin`), line);
      assert(line.includes("file-size limit (ulimit -f"), line);
      assert(line.includes("a file already there is as it was"), line);
      assertEquals(await Deno.readTextFile(join(target, "big.bin")), "the user's old copy\n");
      assertEquals([...Deno.readDirSync(target)].filter((e) => e.name.includes("vc-tmp")), []);
    });
  },
});

Deno.test("mirror store → local: a full disk names the object and says the file is kept", () => {
  const full = Object.assign(new Error("No space left on device (os error 28)"), {
    code: "ENOSPC",
  });
  const text = downloadFailure(full, "s3://b/p/big.bin", "/dl/big.bin");
  assert(text !== undefined);
  assert(text.includes("s3://b/p/big.bin"), text);
  assert(text.includes("no space left on the device of /dl/big.bin"), text);
  assert(text.includes("a file already there is as it was"), text);
  assert(text.includes("free space"), text);
  assertEquals(downloadFailure(new Error("boom"), "s3://b/p/x", "/dl/x"), undefined);
});
