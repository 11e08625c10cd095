/**
 * A script run with `--allow-env` but not `--allow-sys`: the lean requests
 * (HEAD, GET, PUT) work, and the first one the AWS SDK sends (a batch
 * delete, a copy, a multipart upload's Create), whose user agent reads the
 * OS's release, failed as a `StoreError` (`DeleteObjects … failed: Requires
 * sys access to "osRelease"`), as if the store had refused it. It is an
 * `AccessDeniedError` naming the permission, as one for env is.
 */
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

const ROOT = new URL("../", import.meta.url);
const MOD = new URL("mod.ts", ROOT).href;

Deno.test("s3 store without --allow-sys: an SDK request is an AccessDeniedError naming the permission", async () => {
  await using fake = await startFakeS3({ buckets: ["b"] });
  const dir = await Deno.makeTempDir({ prefix: "vc-s3-no-sys-" });
  try {
    const script = `
      import { openStore } from ${JSON.stringify(MOD)};
      const show = async (p) => {
        try { await p; console.log("ok"); } catch (e) { console.log(e.constructor.name + ": " + e.message); }
      };
      const store = await openStore("s3://b");
      await show(store.put("k.txt", new Uint8Array(3)));
      await show(store.delete(["k.txt", "j.txt"]));
      await store.close();`;
    await Deno.writeTextFile(`${dir}/script.ts`, script);
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--config",
        new URL("deno.json", ROOT).pathname,
        "--allow-net=127.0.0.1",
        "--allow-env",
        `--allow-read=${dir},${ROOT.pathname}`,
        `--allow-write=${dir}`,
        `${dir}/script.ts`,
      ],
      env: { ...fake.env, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    assertEquals(lines.length, 2, lines.join("\n"));
    assertEquals(lines[0], "ok");
    assertStringIncludes(lines[1]!, "AccessDeniedError: an s3:// store needs sys permission");
    assertStringIncludes(lines[1]!, "run with --allow-sys");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
