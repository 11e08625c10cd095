/**
 * An S3 access point's alias (`my-ap-…-s3alias`, which AWS gives out where
 * a bucket name goes) typed without `s3://` was a local path: `vc cache get
 * ALIAS` said only that no such local path exists, and `vc mirror DIR
 * ALIAS/prefix` that TARGET must be a store URI, neither naming the URI
 * meant. No bucket can end in `-s3alias` (AWS reserves the suffix), so the
 * name is read as the alias meant: refused with `s3://ALIAS/…`, as
 * `s3//b/x` is, and `./ALIAS` is the way to a local path of that name.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { mistypedUriHint, parseUri } from "../src/uri.ts";
import { InvalidInputError } from "../src/errors.ts";
import { withWorkspace } from "./cli_process.ts";

const ALIAS = "my-ap-hrzrlukc5m36ft7okagglf3gmwluquse1b-s3alias";

Deno.test("parseUri: an access point alias without s3:// is refused, naming the URI meant", () => {
  for (
    const [typed, meant] of [[`${ALIAS}/data/k.csv`, `s3://${ALIAS}/data/k.csv`], [
      ALIAS,
      `s3://${ALIAS}`,
    ]]
  ) {
    const e = assertThrows(() => parseUri(typed!), InvalidInputError);
    assertStringIncludes(e.message, `did you mean ${meant}?`);
    assertStringIncludes(e.message, `./${typed}`);
  }
  assertEquals(mistypedUriHint(`${ALIAS}/k`).includes("access point"), true);
  // A path that only ends so, or is written as a path, stays one.
  assertEquals(parseUri(`./${ALIAS}/k`).scheme, "local");
  assertEquals(parseUri(`data/${ALIAS}`).scheme, "local");
  assertEquals(mistypedUriHint("my-bucket/k"), "");
});

Deno.test("vc mirror DIR ALIAS/prefix and vc cache get ALIAS: the usage error names s3://ALIAS", async () => {
  await withWorkspace(async (dir, _vc, vc) => {
    await Deno.mkdir(`${dir}/data`);
    const mirror = await vc(["mirror", "data", `${ALIAS}/backup`]);
    assertEquals(mirror.code, 2, mirror.stderr);
    assertStringIncludes(mirror.stderr, `did you mean s3://${ALIAS}/backup?`);
    const get = await vc(["cache", "get", ALIAS]);
    assertEquals(get.code, 2, get.stderr);
    assertStringIncludes(get.stderr, `did you mean s3://${ALIAS}?`);
  });
});
