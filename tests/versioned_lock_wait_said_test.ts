/**
 * `vc lock` after its downloads, while another process holds the manifest's
 * cross-process lock (a `vc add` stopped with Ctrl-Z, `flock` in a script):
 * it waited without a word for as long as the other held it, as `vc add`
 * once did (tests/versioned_pin_lock_wait_said_test.ts). It now says once
 * what it waits for, through `fillLock`'s `onWarning` (the CLI: its warning
 * line on stderr), and writes the lock file when the lock is let go.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { childEnv, spawnVc } from "./cli_process.ts";
import { holdLock } from "./versioned_helpers.ts";
import { assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { fillLock } from "../src/versioned/lock_ops.ts";

// Waits (bounded: 30 s) until `done()`.
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1500 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
}

Deno.test({
  name: "vc lock waiting for the manifest's lock says so once, then writes the lock file",
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_lock_wait_said_" }));
    try {
      await Deno.mkdir(join(dir, "home"));
      const bucket = join(dir, "bucket");
      await Deno.mkdir(bucket);
      await Deno.writeTextFile(join(bucket, "t.1.0.0.csv"), "1\n");
      const env = childEnv(dir, { VC_BUCKET: pathToFileURL(bucket).href });
      const manifest = join(dir, "versioned_assets.json");
      await Deno.writeTextFile(manifest, '{"/t.csv": "1.0.0"}\n');
      const lockFile = join(dir, "versioned_assets.lock.json");
      const lock = join(dir, ".versioned_assets.json.lock");
      // Another process (here: this one) holds the manifest's lock.
      using holder = holdLock(lock);
      const child = spawnVc(dir, env, ["lock"], 60_000);
      const { stderr } = child;
      await child.untilStderr("waiting");
      assertMatch(stderr.text, /vc: warning: waiting for (process \d+|another process), /);
      assertStringIncludes(stderr.text, `which holds ${lock}, the lock of manifest ${manifest}`);
      assertStringIncludes(stderr.text, `to write lock file ${lockFile}`);
      assertStringIncludes(stderr.text, "Ctrl-C stops the wait");
      assertEquals(await Deno.stat(lockFile).then(() => true, () => false), false);
      holder.release();
      const status = await child.status;
      assertEquals(status.code, 0, stderr.text);
      assertEquals(stderr.text.match(/waiting/g)?.length, 1, stderr.text);
      assertStringIncludes(await Deno.readTextFile(lockFile), '"/t.csv@1.0.0"');
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "fillLock waiting for the manifest's lock calls onWarning once, of kind 'wait'",
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_lock_wait_lib_" }));
    try {
      await Deno.mkdir(join(dir, "bucket"));
      await Deno.writeTextFile(join(dir, "bucket", "a.1.0.0.csv"), "a");
      await Deno.writeTextFile(join(dir, "m.json"), '{"/a.csv": "1.0.0"}');
      await using vc = new VersionedCache({
        manifest: join(dir, "m.json"),
        bucket: join(dir, "bucket"),
        cache: new AssetCache({ cacheDir: join(dir, "cache"), configPath: false }),
      });
      const told: { message: string; kind?: string }[] = [];
      let filling;
      {
        using _holder = holdLock(join(dir, ".m.json.lock"));
        filling = fillLock(vc, { onWarning: (w) => told.push(w) });
        await until(() => told.length > 0);
      }
      const [result] = await filling;
      assertEquals(result?.status, "added");
      assertEquals(told.length, 1, told.map((w) => w.message).join("\n"));
      assertStringIncludes(told[0]!.message, `which holds ${join(dir, ".m.json.lock")}`);
      // A wait, by its kind (the CLI's bar reads it: wait_warning_kind_test.ts).
      assertEquals(told[0]!.kind, "wait");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
