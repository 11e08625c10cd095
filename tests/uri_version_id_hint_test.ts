/**
 * An S3 object's URL copied for one version (the console's "Copy URL" of a
 * version, `…/k.csv?versionId=…`) is no store URI: the hint named
 * `s3://b/k.csv` and said nothing of the version, so the user pasted it and
 * read the current version instead of the one copied. vc reads no S3
 * object version by id: the hint says the versionId is not honoured.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { mistypedUriHint } from "../src/uri.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";

const NOT_HONOURED = "the current version: vc reads no S3 object version by id, so ?versionId= " +
  "is not honoured";

Deno.test("mistypedUriHint: an S3 URL with ?versionId= says the version is not honoured", () => {
  for (
    const url of [
      "https://b.s3.us-east-1.amazonaws.com/data/k.csv?versionId=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
      "https://s3.eu-west-1.amazonaws.com/b/data/k.csv?response-content-type=x&versionId=v1",
      "https://s3.console.aws.amazon.com/s3/object/b?region=eu-west-1&prefix=data/k.csv&versionId=v1",
    ]
  ) {
    const hint = mistypedUriHint(url);
    assertStringIncludes(hint, "did you mean s3://b/data/k.csv", url);
    assertStringIncludes(hint, NOT_HONOURED, url);
  }
  // Without one, the hint is as it was.
  assertEquals(
    mistypedUriHint("https://b.s3.us-east-1.amazonaws.com/data/k.csv"),
    "; did you mean s3://b/data/k.csv?",
  );
  // In another partition, the region's setting and the note both.
  const cn = mistypedUriHint("https://b.s3.cn-north-1.amazonaws.com.cn/k?versionId=v1");
  assertStringIncludes(cn, "s3://b/k (with AWS_REGION=cn-north-1)?");
  assertStringIncludes(cn, NOT_HONOURED);
});

Deno.test("vc cache get URL?versionId=…: the usage error says the version is not honoured", async () => {
  const io = memoryIo({ env: { NO_COLOR: "1" }, cwd: "/" });
  const code = await runCli(
    ["cache", "get", "https://b.s3.us-east-1.amazonaws.com/k.csv?versionId=v1"],
    io,
  );
  assertEquals(code, 2, io.stderr());
  assertStringIncludes(io.stderr(), "did you mean s3://b/k.csv?");
  assertStringIncludes(io.stderr(), NOT_HONOURED);
});
