/**
 * A manifest override holding credentials (`s3://KEY:SECRET@bucket/x.csv`,
 * a presigned `https://` URL) is refused, and the cause redacted
 * it, but the line naming the entry quoted the override as written: every
 * command reading the manifest (`vc ls`, `vc path`, `--json`, `-v`) printed
 * the secret. The override is now shown as redactUrl shows it.
 */
import { join } from "node:path";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";

const SECRET = "manifest-secret-0123";

Deno.test("an override with credentials is refused without showing them: ls, path, --json, -v", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.mkdir(join(dir, "b"));
    const manifest = join(dir, "versioned_assets.json");
    const env = { VC_BUCKET: `file://${join(dir, "b")}` };
    for (
      const [override, shown] of [
        [`s3://AKIAX:${SECRET}@bucket/x.csv`, "s3://AKIAX:***@bucket/x.csv"],
        [
          `https://b.s3.amazonaws.com/x.csv?X-Amz-Signature=${SECRET}`,
          "https://b.s3.amazonaws.com/x.csv?X-Amz-Signature=***",
        ],
      ] as const
    ) {
      await Deno.writeTextFile(manifest, JSON.stringify({ "/x.csv": override }, null, 4) + "\n");
      for (const args of [["ls"], ["ls", "--json"], ["path", "/x.csv", "-v"]]) {
        const r = await vc([...args, "--manifest", manifest], env);
        assertEquals(r.code, 1, r.stderr);
        assertStringIncludes(r.stderr, "is invalid");
        assertStringIncludes(r.stderr, shown);
        assert(!(r.stdout + r.stderr).includes(SECRET), `${args.join(" ")}:\n${r.stderr}`);
      }
    }
  });
});
