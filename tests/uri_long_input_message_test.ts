/**
 * A library caller that passes a hostile 9,000-character location gets an
 * error message that fits a log line: the input is shown by its first and
 * last characters and its length, as the command line prints it, not
 * quoted whole (twice, in some messages: 18 KB or more). Each shape of
 * location parseUri refuses, and the messages cache() builds around a URI
 * (a file:// key too long, a store's failure on a long path).
 */
import { join } from "node:path";
import { assert, assertRejects, assertStringIncludes, assertThrows } from "./assert.ts";
import { parseUri } from "../src/uri.ts";
import { AssetCache } from "../src/cache/asset_cache.ts";
import { MemoryStore } from "../src/store/memory.ts";
import { VcError } from "../src/errors.ts";
import { withLongInputsCut } from "../src/printable.ts";

const LONG = "a".repeat(9000);
// Several times the cut input (two 40-character ends) plus the words around it.
const MAX_MESSAGE_CHARS = 1024;

function checkShort(what: string, message: string, length: number): void {
  assert(
    message.length < MAX_MESSAGE_CHARS,
    `${what}: ${message.length} characters: ${message.slice(0, 300)}`,
  );
  assertStringIncludes(message, `(${length} characters)`, what);
  assertStringIncludes(message, "…", what);
}

Deno.test("parseUri: a 9,000-character location is named by its ends and length", () => {
  const cases: [string, string][] = [
    ["gs:// URI", `gs://b/${LONG}`],
    ["bucket only", `s3://${LONG}`],
    ["no bucket", `s3:///${LONG}`],
    ["file:// with a host", `file://${LONG}/x`],
    ["file:// with a query", `file:///a/${LONG}?x`],
    ["file:// with a backslash", `file:///a\\${LONG}`],
    ["file:// with %00", `file:///a/${LONG}%00`],
    ["s3:/ typo", `s3:/b/${LONG}`],
    ["http:// URI", `http://h/${LONG}`],
    ["Windows path", `C:\\${LONG}`],
    ["NUL in a path", `/x/${LONG}\0`],
  ];
  for (const [what, uri] of cases) {
    const e = assertThrows(() => parseUri(uri));
    checkShort(what, e.message, [...uri].length);
  }
  // Credentials are redacted first: the length named is the redacted URI's.
  const creds = assertThrows(() => parseUri(`s3://u:p@b/${LONG}`));
  checkShort("credentials", creds.message, `s3://u:***@b/${LONG}`.length);
  assert(!creds.message.includes(":p@"), creds.message);
});

Deno.test("cache(): a message around a 9,000-character URI stays short", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-long-uri-" });
  try {
    await using files = new AssetCache({ cacheDir: join(dir, "cache") });
    for (const uri of [`gs://b/${LONG}`, `s3://${LONG}`, `file:///${LONG}`]) {
      const e = await assertRejects(() => files.cache(uri), VcError);
      checkShort(uri.slice(0, 8), e.message, uri.length);
    }
    // A store's failure on a path no file system holds.
    const deep = `file://${dir}/${LONG}/x.csv`;
    const failed = await assertRejects(() => files.cache(deep), VcError);
    checkShort("file:// too long a path", failed.message, `file://${dir}/${LONG}`.length);

    const store = new MemoryStore();
    await using s3 = new AssetCache({
      cacheDir: join(dir, "cache-s3"),
      openStore: () => Promise.resolve(store),
    });
    const key = await assertRejects(() => s3.cache(`s3://b/${LONG}`), VcError);
    checkShort("s3:// key", key.message, LONG.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a cut input leaves the sentence's colon after its length", () => {
  assertStringIncludes(
    withLongInputsCut(`cannot read ${LONG}: denied`),
    `…${"a".repeat(40)} (9000 characters): denied`,
  );
  // A message built directly is cut the same way.
  const e = new VcError(`cannot read ${LONG}; try again`);
  assertStringIncludes(e.message, "(9000 characters); try again");
});
