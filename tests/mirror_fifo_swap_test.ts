/**
 * A file the mirror's walk listed as a regular file and that a FIFO replaced
 * before it was read: the read (`hashLocal`'s `readFileSync`) opened the FIFO
 * and blocked the main thread for good, deaf to SIGTERM and Ctrl-C (`vc mirror`
 * under `timeout 60` was still there 10 minutes later). An `S3Store` upload of
 * `{ path }` naming a FIFO hung the same way. Both now refuse it, naming it.
 *
 * Each check runs in a child process with a deadline, so a regression fails
 * the test rather than hanging it.
 */
import { assert, assertEquals } from "./assert.ts";

const child = `
import { hashLocal } from "${new URL("../src/mirror/compare.ts", import.meta.url).href}";
import { statLocal } from "${new URL("../src/mirror/local_side.ts", import.meta.url).href}";
import { startFakeS3 } from "${new URL("../src/testing/mod.ts", import.meta.url).href}";
import { testS3Store } from "${new URL("./versioned_helpers.ts", import.meta.url).href}";
const dir = Deno.args[0];
const path = dir + "/f.txt";
Deno.writeTextFileSync(path, "listed as a file");
const entry = await statLocal(path, "f.txt", "skip");
Deno.removeSync(path);
new Deno.Command("mkfifo", { args: [path] }).outputSync();
try {
  await hashLocal(entry, undefined, false);
  console.log("hash: read");
} catch (error) {
  console.log("hash: " + error.message);
}
await using s3 = await startFakeS3({ buckets: ["b"] });
await using store = testS3Store(s3, "b", { maxAttempts: 1 });
try {
  await store.put("f.txt", { path });
  console.log("put: uploaded");
} catch (error) {
  console.log("put: " + error.message);
}
`;

Deno.test({
  name: "mirror: a file replaced by a FIFO after the walk is refused, not read (no hang)",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-fifo-swap-" });
    try {
      const script = `${dir}/child.ts`;
      await Deno.writeTextFile(script, child);
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script, dir],
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(20_000),
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert(out.signal === null, `the child hung (killed by ${out.signal}): ${text}`);
      assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
      const lines = text.trim().split("\n");
      assert(/^hash: .*f\.txt is no longer a regular file/.test(lines[0] ?? ""), text);
      assert(/^put: .*f\.txt is not a regular file/.test(lines[1] ?? ""), text);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
