/**
 * The README's first command: `deno task demo` must run the whole versioned
 * workflow on the embedded store and end with manifest.example.json.
 */
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("deno task demo: add, update, path, cat, prefill and verify on a file:// store", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_demo_test_" });
  try {
    const demo = fileURLToPath(new URL("../scripts/demo.ts", import.meta.url));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...PERMISSION_FLAGS, demo, dir],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 0, `demo failed:\n${stdout}\n${stderr}`);
    assertStringIncludes(stdout, "2 fetched, 0 already cached, 0 failed");
    assertStringIncludes(stdout, "0 fetched, 2 already cached, 0 failed");
    assertStringIncludes(stdout, "hello from vc");
    assertStringIncludes(stdout, "equals manifest.example.json");
    // The bucket is a plain directory holding baiji-pod style versioned keys.
    const table = await Deno.readTextFile(`${dir}/bucket/demo/table.1.1.0.csv`);
    assertStringIncludes(table, "Bergen");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
