/**
 * `vc add` / `vc update` after their upload, while another process holds the
 * manifest's cross-process lock (a `vc add` stopped with Ctrl-Z, one stuck on
 * a slow store): the command waited without a word, for as long as the other
 * held it, its version published and not yet pinned. It now says once, on
 * stderr, what it waits for (the lock file, and the holder's pid where
 * `/proc/locks` may be read), that the version is published, and what Ctrl-C
 * would leave; it pins the version when the lock is let go.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { childEnv, spawnVc } from "./cli_process.ts";
import { holdLock } from "./versioned_helpers.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";

Deno.test({
  name: "add waiting for the manifest's lock after its upload says so, then pins when it is free",
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_pin_wait_said_" }));
    try {
      await Deno.mkdir(join(dir, "home"));
      const bucket = join(dir, "bucket");
      const env = childEnv(dir, { VC_BUCKET: pathToFileURL(bucket).href });
      await Deno.writeTextFile(join(dir, "t.csv"), "1\n");
      const manifest = join(dir, "versioned_assets.json");
      const lock = join(dir, ".versioned_assets.json.lock");
      // Another process (here: this one) holds the manifest's lock.
      using holder = holdLock(lock);
      const child = spawnVc(dir, env, ["add", "/t.csv", "t.csv"], 60_000);
      const { stderr } = child;
      // Bounded: 30 s for the command to start, publish and say it waits.
      await child.untilStderr("waiting");
      // The holder's pid where Deno lets /proc/locks be read (--allow-all).
      assertMatch(stderr.text, /waiting for (process \d+|another process), /);
      assertStringIncludes(stderr.text, `which holds ${lock}, the lock of manifest ${manifest}`);
      assertStringIncludes(stderr.text, "/t.csv 1.0.0 is published");
      assertStringIncludes(stderr.text, "Ctrl-C stops the wait");
      assert(await Deno.stat(join(bucket, "t.1.0.0.csv")).then(() => true, () => false));
      assertEquals(await Deno.stat(manifest).then(() => true, () => false), false);
      holder.release();
      const status = await child.status;
      assertEquals(status.code, 0, stderr.text);
      assertEquals(stderr.text.match(/waiting/g)?.length, 1, stderr.text);
      assertEquals(JSON.parse(await Deno.readTextFile(manifest)), { "/t.csv": "1.0.0" });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
