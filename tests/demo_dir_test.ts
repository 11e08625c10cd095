/**
 * `deno task demo DIR` a second time on the same DIR: the first run's manifest
 * is there, so its `vc add` would fail half-way ("already versioned"). The demo
 * refuses a DIR that is not empty before writing anything, saying why.
 */
import { fileURLToPath } from "node:url";
import { PERMISSION_FLAGS } from "../scripts/permissions.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("deno task demo DIR: a DIR that is not empty is refused up front, untouched", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_demo_dir_test_" });
  try {
    await Deno.writeTextFile(`${dir}/versioned_assets.json`, '{"/demo/greeting.txt": "1.0.0"}\n');
    const demo = fileURLToPath(new URL("../scripts/demo.ts", import.meta.url));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...PERMISSION_FLAGS, demo, dir],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assertEquals(out.code, 1, stderr);
    assertStringIncludes(stderr, `${dir} is not empty`);
    assertEquals([...Deno.readDirSync(dir)].map((e) => e.name), ["versioned_assets.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
