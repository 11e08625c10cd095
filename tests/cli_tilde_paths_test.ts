/**
 * `VC_CACHE_DIR="~/c"` and the config file's paths take a leading `~` as the
 * home directory; `--manifest`, `--lock`, `--cache-dir`, `VC_MANIFEST` and
 * `VC_LOCK` did not. No shell expands the `~` of `--manifest=~/m.json`, nor of
 * a quoted `VC_MANIFEST="~/m.json"` (a CI file's `env:`): `vc add` then made a
 * directory `./~` in the current one and pinned the asset in a manifest
 * there. They now name the home directory too.
 */
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";
import { join } from "node:path";

Deno.test("vc: a leading ~ in --manifest, --lock, --cache-dir, VC_MANIFEST, VC_LOCK is HOME", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("a.csv", "a\n");
  const home = ws.env.HOME!;

  const add = await ws.run(["add", "/a.csv", "a.csv", "--bucket", ws.bucket], {
    VC_MANIFEST: "~/m.json",
    VC_LOCK: "~/l.json",
  });
  assertEquals(add.code, 0, add.stderr);
  assertEquals(await Deno.lstat(ws.path("~")).catch(() => undefined), undefined);
  assertEquals(JSON.parse(await Deno.readTextFile(join(home, "m.json"))), { "/a.csv": "1.0.0" });
  assertEquals(Object.keys(JSON.parse(await Deno.readTextFile(join(home, "l.json")))), [
    "/a.csv@1.0.0",
  ]);

  const path = await ws.run([
    "path",
    "/a.csv",
    "--json",
    "--bucket",
    ws.bucket,
    "--manifest=~/m.json",
    "--lock=~/l.json",
    "--cache-dir=~/cache",
  ]);
  assertEquals(path.code, 0, path.stderr);
  assertEquals(path.json<{ local: string }>().local.startsWith(join(home, "cache") + "/"), true);
  assertEquals(await Deno.lstat(ws.path("~")).catch(() => undefined), undefined);

  const config = await ws.run(["config", "--json", "--manifest", "~/m.json"]);
  const rows = config.json<{ name: string; value: unknown }[]>();
  assertEquals(rows.find((r) => r.name === "manifest")?.value, join(home, "m.json"));
});
