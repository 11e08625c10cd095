/**
 * A profile's `s3 = addressing_style` that is none of `path`, `virtual` and
 * `auto` (a typo: `pth`) is refused naming the file and line, as the aws CLI
 * refuses it ("S3 addressing style pth is invalid"). It was passed over
 * without a word, and the default chose the addressing: virtual hosts
 * (`bkt.minio.lan`) for a store meant to be addressed path-style.
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { resolveS3Settings } from "../src/store/s3_config.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";

async function withConfig(style: string, fn: (env: (n: string) => string | undefined) => void) {
  const dir = await Deno.makeTempDir({ prefix: "vc-addressing-" });
  try {
    const file = join(dir, "config");
    await Deno.writeTextFile(
      file,
      `[profile lan]\nendpoint_url = http://minio.lan:9000\ns3 =\n  addressing_style = ${style}\n`,
    );
    const vars: Record<string, string> = { AWS_PROFILE: "lan", AWS_CONFIG_FILE: file };
    fn((n) => vars[n]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a profile's invalid s3 addressing_style is refused naming the file and line", async () => {
  await withConfig("pth", (env) => {
    const error = assertThrows(() => resolveS3Settings({}, env), InvalidInputError);
    assertStringIncludes(error.message, 's3 addressing_style of AWS profile "lan" in ');
    assertStringIncludes(error.message, 'config:4 is "pth": expected path, virtual or auto');
    // VC_S3_PATH_STYLE or the option decides instead: the profile's value is not read.
    assertEquals(resolveS3Settings({ forcePathStyle: true }, env).forcePathStyle, true);
    const withVar = (n: string) => n === "VC_S3_PATH_STYLE" ? "1" : env(n);
    assertEquals(resolveS3Settings({}, withVar).forcePathStyle, true);
  });
});

Deno.test("addressing_style path, virtual and auto are taken, in any case", async () => {
  for (const [style, pathStyle] of [["path", true], ["Virtual", false], ["auto", false]] as const) {
    await withConfig(style, (env) => {
      assertEquals(resolveS3Settings({}, env).forcePathStyle, pathStyle, style);
    });
  }
});

Deno.test("vc config shows an invalid addressing_style in its s3PathStyle row and exits 1", async () => {
  await withWorkspace(async (dir, vc) => {
    const file = join(dir, "aws_config");
    await Deno.writeTextFile(
      file,
      "[profile lan]\nendpoint_url = http://minio.lan:9000\ns3 =\n  addressing_style = pth\n",
    );
    const run = await vc(["config", "--json"], { AWS_PROFILE: "lan", AWS_CONFIG_FILE: file });
    assertEquals(run.code, 1, run.stderr);
    const rows = JSON.parse(run.stdout) as { name: string; value: unknown; error?: string }[];
    const row = rows.find((r) => r.name === "s3PathStyle");
    assertEquals(row?.value, null);
    assertStringIncludes(row?.error ?? "", `${file}:4 is "pth"`);
    assertStringIncludes(run.stderr, `${file}:4 is "pth"`);
    const get = await vc(["cache", "get", "s3://bkt/k"], {
      AWS_PROFILE: "lan",
      AWS_CONFIG_FILE: file,
    });
    assertEquals(get.code, 1, get.stderr);
    assertStringIncludes(get.stderr, 'addressing_style of AWS profile "lan"');
  });
});
