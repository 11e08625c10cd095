/**
 * `vc config` shows the S3 region and addressing style every store of the
 * command uses, with where each came from: `AWS_REGION` over
 * `AWS_DEFAULT_REGION` over the profile's `region`, else us-east-1;
 * `VC_S3_PATH_STYLE` over the profile's `s3 = addressing_style`, else path
 * style for an IP address or localhost endpoint only.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

type Row = { name: string; value: unknown; source: string };

function rows(stdout: string): Map<string, Row> {
  return new Map((JSON.parse(stdout) as Row[]).map((r) => [r.name, r]));
}

Deno.test("vc config: s3Region and s3PathStyle rows with their sources", async () => {
  await withWorkspace(async (dir, vc) => {
    const home = join(dir, "home");
    await Deno.mkdir(join(home, ".aws"), { recursive: true });
    await Deno.writeTextFile(
      join(home, ".aws", "config"),
      "[profile lab]\nregion = eu-west-3\ns3 =\n  addressing_style = path\n",
    );
    const config = async (env: Record<string, string>) =>
      rows(ok(await vc(["config", "--json"], env), "vc config").stdout);

    const plain = await config({});
    assertEquals([plain.get("s3Region")?.value, plain.get("s3Region")?.source], [
      "us-east-1",
      "default",
    ]);
    assertEquals([plain.get("s3PathStyle")?.value, plain.get("s3PathStyle")?.source], [
      false,
      "default",
    ]);

    const local = await config({ AWS_ENDPOINT_URL: "http://127.0.0.1:9000" });
    assertEquals(local.get("s3PathStyle")?.value, true);
    assertStringIncludes(local.get("s3PathStyle")!.source, "localhost");

    const profile = await config({ AWS_PROFILE: "lab" });
    assertEquals(profile.get("s3Region")?.value, "eu-west-3");
    assertStringIncludes(profile.get("s3Region")!.source, 'region of AWS profile "lab"');
    assertEquals(profile.get("s3PathStyle")?.value, true);
    assertStringIncludes(profile.get("s3PathStyle")!.source, "addressing_style");

    const env = await config({
      AWS_PROFILE: "lab",
      AWS_DEFAULT_REGION: "ap-south-1",
      VC_S3_PATH_STYLE: "false",
    });
    assertEquals([env.get("s3Region")?.value, env.get("s3Region")?.source], [
      "ap-south-1",
      "env AWS_DEFAULT_REGION",
    ]);
    assertEquals([env.get("s3PathStyle")?.value, env.get("s3PathStyle")?.source], [
      false,
      "env VC_S3_PATH_STYLE",
    ]);
    // An IP endpoint is path-style whatever the setting says (the rows
    // showed the setting's false, which no request followed).
    const ip = await config({ AWS_ENDPOINT_URL: "http://127.0.0.1:9000", VC_S3_PATH_STYLE: "0" });
    assertEquals(ip.get("s3PathStyle")?.value, true);
    assertStringIncludes(ip.get("s3PathStyle")!.source, "env VC_S3_PATH_STYLE says virtual");
    const both = await config({ AWS_REGION: "us-west-2", AWS_DEFAULT_REGION: "ap-south-1" });
    assertEquals(both.get("s3Region")?.source, "env AWS_REGION");
  });
});
