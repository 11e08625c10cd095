/**
 * Scratch directories in TMPDIR (standard input spooled by
 * `vc cache-client put ID -`, `vc lock`'s and `vc lock --check`'s downloads)
 * that a killed process left (`kill -9`, a lost terminal) are removed by the
 * next one of their kind; one whose process still uses it stays. Before,
 * nothing ever removed them.
 */
import { join } from "node:path";
import { makeScratchDir } from "../src/scratch_dir.ts";
import { assert, assertEquals } from "./assert.ts";
import { childEnv, vcCommand } from "./cli_process.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);
const hourAgo = () => new Date(Date.now() - 3600_000);

/** A directory as a killed process leaves it: its in-use file an hour old, nobody holding it. */
async function plantAbandoned(dir: string): Promise<void> {
  await Deno.mkdir(dir);
  await Deno.writeFile(join(dir, "0"), new Uint8Array(1000));
  await Deno.writeFile(join(dir, ".vc-in-use"), new Uint8Array(0));
  await Deno.utime(join(dir, ".vc-in-use"), hourAgo(), hourAgo());
}

Deno.test({
  name: "makeScratchDir removes an abandoned one of its kind and keeps one in use",
  // Nothing is swept where locks are mandatory.
  ignore: Deno.build.os === "windows",
  async fn() {
    const prefix = `vc-scratch-test-${crypto.randomUUID().slice(0, 8)}-`;
    const first = await makeScratchDir(prefix);
    const parent = first.path.slice(0, first.path.lastIndexOf("/"));
    const dead = join(parent, `${prefix}dead`);
    try {
      // In use for an hour already: held, so kept.
      await Deno.utime(join(first.path, ".vc-in-use"), hourAgo(), hourAgo());
      await plantAbandoned(dead);
      let second: string;
      {
        await using scratch = await makeScratchDir(prefix);
        second = scratch.path;
        assertEquals(await exists(dead), false, "the abandoned one is removed");
        assert(await exists(first.path), "the one in use stays");
      }
      assertEquals(await exists(second), false);
    } finally {
      await first[Symbol.asyncDispose]();
      await Deno.remove(dead, { recursive: true }).catch(() => {});
    }
    assertEquals(await exists(first.path), false);
  },
});

Deno.test({
  name: "vc lock --check removes what a killed lock check left in TMPDIR",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc_lock_check_scratch_" });
    try {
      const tmp = join(dir, "tmp");
      await Deno.mkdir(tmp);
      await Deno.mkdir(join(dir, "bucket"));
      await Deno.writeTextFile(join(dir, "bucket", "a.1.0.0.csv"), "a");
      await Deno.writeTextFile(join(dir, "versioned_assets.json"), '{"/a.csv": "1.0.0"}');
      const env = childEnv(dir, { TMPDIR: tmp, VC_BUCKET: `file://${join(dir, "bucket")}` });
      const run = async (args: string[]) => {
        const out = await vcCommand(dir, env, args).output();
        assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
      };
      await run(["lock"]);
      await plantAbandoned(join(tmp, "vc-lock-check-dead"));
      await run(["lock", "--check"]);
      assertEquals([...Deno.readDirSync(tmp)].map((e) => e.name), []);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
