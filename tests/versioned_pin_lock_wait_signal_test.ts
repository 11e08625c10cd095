/**
 * Ctrl-C while `vc update` waits for the manifest's cross-process lock (held
 * by another process, e.g. one stopped with Ctrl-Z), after its upload: the
 * wait stops at once, the exit code is 130, and the message says that the
 * version was published but not pinned and how to pin it. The wait ignored
 * the interrupt: the process was cut short by the 5 s grace period and exited
 * 130 without a word, the new version published and unpinned.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { childEnv, vcCommand } from "./cli_process.ts";
import { assert, assertEquals, assertMatch } from "./assert.ts";
import { holdLock } from "./versioned_helpers.ts";

Deno.test({
  name: "SIGINT while `vc update` waits for the manifest lock ends the wait, 130, says what to do",
  // Signals to a child process are POSIX-only.
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "vc_pin_wait_" }));
    try {
      await Deno.mkdir(join(dir, "home"));
      const bucket = join(dir, "bucket");
      const env = childEnv(dir, { VC_BUCKET: pathToFileURL(bucket).href });
      const run = async (args: string[]) => {
        const r = await vcCommand(dir, env, args).output();
        return { code: r.code, stderr: new TextDecoder().decode(r.stderr) };
      };
      await Deno.writeTextFile(join(dir, "t.csv"), "1\n");
      const added = await run(["add", "/t.csv", "t.csv"]);
      assertEquals(added.code, 0, added.stderr);
      await Deno.writeTextFile(join(dir, "t.csv"), "2\n");
      const manifest = join(dir, "versioned_assets.json");
      const before = await Deno.readTextFile(manifest);
      // Another process (here: this one) holds the manifest's lock.
      {
        using _holder = holdLock(join(dir, ".versioned_assets.json.lock"));
        const child = vcCommand(dir, env, ["update", "/t.csv", "t.csv", "--patch"]).spawn();
        const output = child.output();
        // Wait (bounded) until the new version is in the bucket: the command
        // then waits for the lock to pin it.
        const published = join(bucket, "t.1.0.1.csv");
        for (let i = 0; i < 1500; i++) {
          if (await Deno.stat(published).then(() => true, () => false)) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        await new Promise((r) => setTimeout(r, 300));
        const sent = Date.now();
        child.kill("SIGINT");
        const { code, stderr } = await output;
        const took = Date.now() - sent;
        const text = new TextDecoder().decode(stderr);
        assertEquals(code, 130, text);
        // The grace period that cuts a stuck command short is 5 s: any exit
        // before it is the command's own unwind (which alone says what it
        // published, below), however slow the machine.
        assert(took < 5_000, `exited ${took} ms after SIGINT`);
        assertMatch(text, /interrupted/);
        assertMatch(text, /published .*t\.1\.0\.1\.csv but did not pin it/);
        assertMatch(text, /run the same command again/);
        assertEquals(await Deno.readTextFile(manifest), before);
      }
      // As the message says: the same command again pins the published version.
      const again = await run(["update", "/t.csv", "t.csv", "--patch"]);
      assertEquals(again.code, 0, again.stderr);
      assertEquals(JSON.parse(await Deno.readTextFile(manifest)), { "/t.csv": "1.0.1" });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
