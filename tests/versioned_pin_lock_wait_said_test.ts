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
import { childEnv, vcCommand } from "./cli_process.ts";
import { assert, assertEquals, assertMatch, assertStringIncludes } from "./assert.ts";
import { openLockFile } from "../src/file_lock.ts";

// Reads `stream` into `out.text` until it ends (the caller awaits the promise).
async function collect(stream: ReadableStream<Uint8Array>, out: { text: string }): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) out.text += decoder.decode(chunk, { stream: true });
}

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
      const holder = openLockFile(lock);
      let released = false;
      try {
        assert(holder.tryLockSync(true));
        const child = vcCommand(dir, env, ["add", "/t.csv", "t.csv"], 60_000, {}).spawn();
        const stderr = { text: "" };
        const reading = collect(child.stderr, stderr);
        const stdout = { text: "" };
        const readingOut = collect(child.stdout, stdout);
        // Bounded: 30 s for the command to start, publish and say it waits.
        for (let i = 0; i < 1500 && !stderr.text.includes("waiting"); i++) {
          await new Promise((r) => setTimeout(r, 20));
        }
        // The holder's pid where Deno lets /proc/locks be read (--allow-all).
        assertMatch(stderr.text, /waiting for (process \d+|another process), /);
        assertStringIncludes(stderr.text, `which holds ${lock}, the lock of manifest ${manifest}`);
        assertStringIncludes(stderr.text, "/t.csv 1.0.0 is published");
        assertStringIncludes(stderr.text, "Ctrl-C stops the wait");
        assert(await Deno.stat(join(bucket, "t.1.0.0.csv")).then(() => true, () => false));
        assertEquals(await Deno.stat(manifest).then(() => true, () => false), false);
        holder.close();
        released = true;
        const status = await child.status;
        await reading;
        await readingOut;
        assertEquals(status.code, 0, stderr.text);
        assertEquals(stderr.text.match(/waiting/g)?.length, 1, stderr.text);
        assertEquals(JSON.parse(await Deno.readTextFile(manifest)), { "/t.csv": "1.0.0" });
      } finally {
        if (!released) holder.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
