/**
 * The project settings lookup walks up from the manifest's directory to the
 * root, so a manifest in `/tmp/job/` read `/tmp/vc.json`: a file any local
 * user can put there (`/tmp` is world-writable), which then chose the
 * victim's bucket, cache directory (one the planter filled with poisoned
 * copies) and immutable buckets (never revalidated). Now a `vc.json` or
 * `deno.json` in a directory every user may write to, owned by another
 * user (not this one, not root), is passed over with a warning naming it,
 * as git refuses a repository of "dubious ownership". A file of another
 * user in a directory that is not world-writable (a shared checkout, a CI
 * container running as root over the runner's workspace) is still read.
 */
import { findProjectConfig, resolveSettings } from "../src/config.ts";
import { assert, assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

type Row = { name: string; value: unknown; source: string };
const NOBODY = 65534;
// Only root can give a file to another user.
const ignore = Deno.build.os === "windows" || Deno.uid() !== 0;

for (const name of ["vc.json", "deno.json"]) {
  Deno.test({
    name:
      `a ${name} another user planted in a world-writable parent is passed over, with a warning`,
    ignore,
    fn: async () => {
      await using ws = await CliWorkspace.create();
      await Deno.chmod(ws.dir, 0o1777);
      const settings = { bucket: "planted-bucket", cacheDir: "./planted-cache" };
      const planted = await ws.write(
        name,
        JSON.stringify(name === "vc.json" ? settings : { vc: settings }),
      );
      await Deno.chown(planted, NOBODY, NOBODY);
      const manifest = await ws.write("job/versioned_assets.json", "{}");
      const r = await ws.run(["config", "--json", "--manifest", manifest]);
      assertEquals(r.code, 0, r.stderr);
      const rows = r.json<Row[]>();
      const row = (n: string) => rows.find((x) => x.name === n);
      assertEquals(row("bucket")?.value, null, JSON.stringify(row("bucket")));
      assertEquals(row("cacheDir")?.source, "env VC_CACHE_DIR");
      assertEquals(row("projectFile")?.value, null);
      assertEquals(row("untrustedProjectFile")?.value, planted);
      const warnings = r.stderr.split("\n").filter((l) => l.startsWith("vc: warning:"));
      assertEquals(warnings.length, 1, r.stderr);
      assert(warnings[0]!.includes(planted) && warnings[0]!.includes("another user"), warnings[0]);
      // The library passes it over too, and says so.
      const s = resolveSettings({
        projectDir: `${ws.dir}/job`,
        configPath: false,
        env: { VC_CACHE_DIR: ws.cacheDir },
      });
      assertEquals([s.bucket, s.projectPath], [undefined, undefined]);
      assertEquals(s.untrustedProjectPaths, [planted]);
      assertEquals(findProjectConfig(`${ws.dir}/job`), undefined);
    },
  });
}

Deno.test({
  name:
    "a project file of this user in a world-writable dir, or of another user in a private one, is read",
  ignore,
  fn: async () => {
    await using ws = await CliWorkspace.create();
    const planted = await ws.write("vc.json", JSON.stringify({ bucket: "team-bucket" }));
    await ws.write("job/versioned_assets.json", "{}");
    // Ours, in a directory every user may write to: only we could have put it there.
    await Deno.chmod(ws.dir, 0o1777);
    const own = resolveSettings({
      projectDir: `${ws.dir}/job`,
      configPath: false,
      env: { VC_CACHE_DIR: ws.cacheDir },
    });
    assertEquals([own.bucket, own.projectPath], ["s3://team-bucket", planted]);
    assertEquals(own.untrustedProjectPaths, undefined);
    // Another user's, in a directory only its owner may write to: a shared checkout.
    await Deno.chmod(ws.dir, 0o755);
    await Deno.chown(planted, NOBODY, NOBODY);
    const shared = resolveSettings({
      projectDir: `${ws.dir}/job`,
      configPath: false,
      env: { VC_CACHE_DIR: ws.cacheDir },
    });
    assertEquals([shared.bucket, shared.projectPath], ["s3://team-bucket", planted]);
    const r = await ws.run(["config", "--manifest", `${ws.dir}/job/versioned_assets.json`]);
    assertEquals([r.code, r.stderr], [0, ""]);
  },
});
