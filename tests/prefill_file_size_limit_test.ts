/**
 * A CI job whose runner sets a file-size limit (`ulimit -f`, a batch
 * scheduler's RLIMIT_FSIZE) below an object's size: `vc prefill` failed that
 * item with the bare OS text, `File too large (os error 27)`, which names no
 * file, no limit and no way out (`vc cache get` said why; a prefill's
 * failures, kept as text by the library, did not). Now the cache names the
 * object, the cache dir and the two limits that stop such a write, in the
 * library's message, so `vc prefill`, its `--json` and `prefill()` say it.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { assert, assertEquals } from "./assert.ts";
import { childEnv, ok, vcCommand, withWorkspace } from "./cli_process.ts";
import { filesUnder } from "./files_under.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test({
  name:
    "prefill of an object past the file-size limit names the limit and the cache dir, once (ignored off Linux: bash's ulimit)",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withWorkspace(async (dir, vc) => {
      const src = join(dir, "src");
      await Deno.mkdir(src);
      for (const name of ["warm.txt", "small.txt"]) {
        await Deno.writeTextFile(join(src, name), `${name}\n`);
      }
      await Deno.writeFile(join(src, "big.bin"), new Uint8Array(300 * 1024).fill(7));
      const uri = (name: string) => pathToFileURL(join(src, name)).href;
      await Deno.writeTextFile(join(dir, "warm.txt"), `${uri("warm.txt")}\n`);
      await Deno.writeTextFile(join(dir, "list.txt"), `${uri("small.txt")}\n${uri("big.bin")}\n`);
      // Unlimited first: Deno writes its code cache then, not under the limit.
      ok(await vc(["prefill", "--list", "warm.txt"]), "warm prefill");
      const cacheDir = join(dir, "cache");
      for (const json of [false, true]) {
        const run = await vcCommand(
          dir,
          childEnv(dir),
          ["prefill", "--list", "list.txt", ...(json ? ["--json"] : [])],
          undefined,
          { fileSizeLimitKib: 100 },
        ).output();
        const [stdout, stderr] = [decode(run.stdout), decode(run.stderr)];
        assertEquals([run.code, run.signal], [1, null], stderr);
        const line = stderr.split("\n").filter((l) => l.startsWith("vc: prefill failed:"));
        assertEquals(line.length, 1, stderr);
        for (const text of [line[0]!, ...(json ? [JSON.parse(stdout).failed[0].error] : [])]) {
          assert(text.includes(uri("big.bin")), text);
          assert(text.includes(`the cache dir ${cacheDir}`), text);
          assert(text.includes("file-size limit (ulimit -f"), text);
          assert(text.includes("nothing partial was kept"), text);
          // Said once, not again by the command's own hint for EFBIG.
          assertEquals(text.split("file-size limit").length, 2, text);
        }
        assert(!stderr.includes("internal error"), stderr);
        assert(stderr.includes("vc: 1 of 2 items failed"), stderr);
        // The small item is cached, and no temp file of the big one is left.
        const left = filesUnder(cacheDir, { relative: true }).filter((f) =>
          !f.startsWith(".meta/")
        );
        assertEquals(left.filter((f) => f.includes("big.bin")), [], left.join("\n"));
        assert(left.some((f) => f.endsWith("/small.txt")), left.join("\n"));
      }
      // Without the limit, the rerun fetches only what failed.
      const again = ok(await vc(["prefill", "--list", "list.txt"]), "prefill again");
      assert(again.stdout.includes("1 fetched, 1 already cached, 0 failed"), again.stdout);
    });
  },
});

Deno.test({
  name:
    "prefill whose record journal reaches the file-size limit says so, not that the disk is full (ignored off Linux: bash's ulimit)",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withWorkspace(async (dir, vc) => {
      const src = join(dir, "src");
      await Deno.mkdir(src);
      const uris: string[] = [];
      // Small objects, many in one directory: the directory's journal of
      // records passes 48 KiB long before any object does.
      for (let i = 0; i < 400; i++) {
        await Deno.writeTextFile(join(src, `f${i}.txt`), `${i}\n`);
        uris.push(pathToFileURL(join(src, `f${i}.txt`)).href);
      }
      await Deno.writeTextFile(join(dir, "warm.txt"), `${uris[0]}\n`);
      await Deno.writeTextFile(join(dir, "list.txt"), uris.slice(1).join("\n") + "\n");
      ok(await vc(["prefill", "--list", "warm.txt"]), "warm prefill");
      const run = await vcCommand(
        dir,
        childEnv(dir),
        ["prefill", "--list", "list.txt", "--concurrency", "1"],
        undefined,
        { fileSizeLimitKib: 48 },
      ).output();
      const stderr = decode(run.stderr);
      assertEquals([run.code, run.signal], [1, null], stderr);
      const failures = stderr.split("\n").filter((l) => l.startsWith("vc: prefill failed:"));
      assert(failures.length > 0, stderr);
      for (const line of failures) {
        assert(!line.includes("no space left"), line);
        assert(line.includes("%records.jsonl reached this process's file-size limit"), line);
        assert(line.includes("ulimit -f unlimited"), line);
      }
      assert(!stderr.includes("internal error"), stderr);
    });
  },
});
