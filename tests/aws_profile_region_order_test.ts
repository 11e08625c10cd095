/**
 * A profile with a `region` in both shared files: the AWS SDK's client
 * (which resolves the region vc's requests are signed for) reads the
 * credentials file's first, as the aws CLI does, while `vc config` showed
 * the config file's: it said eu-west-1 for requests signed for us-west-2.
 * Both now take the credentials file's.
 */
import { assertEquals } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { writeSharedFiles } from "./aws_shared_files.ts";

Deno.test("profile region in both files: vc config shows the region requests are signed for", async () => {
  const regions: string[] = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => {
      const signed = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(
        req.headers.get("authorization") ?? "",
      );
      if (signed !== null) regions.push(signed[1]!);
      return new Response(null, { status: 404 });
    },
  );
  await withWorkspace(async (dir, vc) => {
    const { env } = await writeSharedFiles(dir, {
      config:
        `[profile lab]\nregion = eu-west-1\nendpoint_url = http://127.0.0.1:${server.addr.port}\n`,
      credentials: "[lab]\naws_access_key_id = AK\naws_secret_access_key = s\nregion = us-west-2\n",
      profile: "lab",
    });
    const get = await vc(["cache", "get", "s3://some-bucket/k.txt"], env);
    assertEquals(get.code, 1, get.stderr);
    assertEquals(new Set(regions).size, 1, `${regions}`);
    const shown = await vc(["config", "--json"], env);
    assertEquals(shown.code, 0, shown.stderr);
    const rows = JSON.parse(shown.stdout) as { name: string; value: unknown; source: string }[];
    const region = rows.find((row) => row.name === "s3Region");
    assertEquals(region?.value, regions[0]);
    assertEquals(region?.value, "us-west-2");
  });
});
