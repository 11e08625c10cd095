/**
 * A relative `VC_CONFIG` was taken from the process's working directory,
 * while every other relative variable (`VC_CACHE_DIR`, `VC_BUCKET`,
 * `VC_MANIFEST`, `VC_LOCK`) is taken from the command's (`runCli`'s
 * `io.cwd`, an embedder's): `VC_CONFIG=conf/vc.json` named another file, or
 * none, than `VC_CACHE_DIR=conf/cache` beside it. It is now the command's
 * too, as is `resolveSettings`'s `cwd` option for the library.
 */
import { assertEquals } from "./assert.ts";
import { resolveSettings } from "../src/config.ts";
import { join } from "../src/path.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("a relative VC_CONFIG is taken from the command's working directory", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("conf/vc.json", '{"timeout": "7m"}');
  const r = await ws.run(["config", "--json", "timeout"], { VC_CONFIG: "conf/vc.json" });
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.json<{ name: string; value: unknown; source: string }>(), {
    name: "timeout",
    value: 420,
    source: `config ${join(ws.dir, "conf", "vc.json")}`,
  });
  // The library: from the cwd option.
  assertEquals(
    resolveSettings({ cwd: ws.dir, env: { VC_CONFIG: "conf/vc.json", HOME: ws.env.HOME } })
      .timeout,
    420,
  );
});
