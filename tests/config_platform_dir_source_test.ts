/**
 * `vc config` showed `default` for a cache directory and a config file that
 * `XDG_CACHE_HOME` / `XDG_CONFIG_HOME` placed (so a stale one in a shell
 * profile could not be told from vc's own default), and also `default`, with
 * `~/.cache/vc`, for a relative `XDG_CACHE_HOME=cache` that vc ignores as the
 * XDG spec says: nothing said why the variable set did not take. The rows
 * now name the variable, or say that it is ignored and why.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { platformDirSource } from "../src/config.ts";

type Row = { name: string; value: unknown; source: string };

async function rows(ws: CliWorkspace, env: Record<string, string>): Promise<Map<string, Row>> {
  const r = await ws.run(["config", "--json"], env);
  assertEquals(r.code, 0, r.stderr);
  return new Map(r.json<Row[]>().map((row) => [row.name, row]));
}

Deno.test({
  name: "vc config names XDG_CACHE_HOME and XDG_CONFIG_HOME in the default rows",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await using ws = await CliWorkspace.create();
    const xdgConfig = join(ws.dir, "xdg-config");
    await ws.write("xdg-config/vc/config.json", "{}");
    // The workspace sets VC_CACHE_DIR: unset it (empty) to see the default.
    const got = await rows(ws, {
      VC_CACHE_DIR: "",
      XDG_CACHE_HOME: join(ws.dir, "xdg-cache"),
      XDG_CONFIG_HOME: xdgConfig,
    });
    assertEquals(got.get("cacheDir")?.value, join(ws.dir, "xdg-cache", "vc"));
    assertEquals(got.get("cacheDir")?.source, "default (XDG_CACHE_HOME)");
    assertEquals(got.get("configFile")?.source, "default (XDG_CONFIG_HOME)");
    const relative = await rows(ws, { VC_CACHE_DIR: "", XDG_CACHE_HOME: "cache" });
    assertEquals(relative.get("cacheDir")?.value, join(ws.env.HOME!, ".cache", "vc"));
    assertEquals(
      relative.get("cacheDir")?.source,
      'default (XDG_CACHE_HOME="cache" is ignored: not an absolute path)',
    );
    const plain = await rows(ws, { VC_CACHE_DIR: "" });
    assertEquals(plain.get("cacheDir")?.source, "default");
  },
});

Deno.test("platformDirSource: each platform's variable", () => {
  assertEquals(platformDirSource("cache", { os: "linux", env: {} }), "default");
  assertEquals(
    platformDirSource("cache", { os: "windows", env: { LOCALAPPDATA: "C:\\L" } }),
    "default (LOCALAPPDATA)",
  );
  assertEquals(
    platformDirSource("config", { os: "windows", env: { APPDATA: "AppData\\Roaming" } }),
    'default (APPDATA="AppData\\\\Roaming" is ignored: not an absolute path)',
  );
  assertEquals(
    platformDirSource("config", { os: "darwin", env: { XDG_CONFIG_HOME: "/x" } }),
    "default",
  );
});
