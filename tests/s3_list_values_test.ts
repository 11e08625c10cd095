// Listing values no S3 writes (a broken or hostile endpoint) must fail the
// listing with a StoreError naming the value, never pass on as something
// else: an IsTruncated of "1" or "True" read as false ended the listing after
// page one (a short listing, which a mirror's --delete acts on), `<Contents >`
// was skipped (its objects vanished), a negative, fractional or 1e20 Size was
// handed on (and "abc" became 0), and an unparseable LastModified became an
// Invalid Date whose toISOString() throws a RangeError far away.
import { assertEquals } from "./assert.ts";
import { parseListObjectsV2 } from "../src/store/s3_list.ts";
import { StoreError } from "../src/errors.ts";

function page(truncated: string, contents: string): string {
  return `<ListBucketResult><IsTruncated>${truncated}</IsTruncated>${contents}` +
    "<NextContinuationToken>t</NextContinuationToken></ListBucketResult>";
}

function object(size: string, modified = "2026-01-01T00:00:00.000Z"): string {
  return `<Contents><Key>k</Key><LastModified>${modified}</LastModified>` +
    `<ETag>&quot;abc&quot;</ETag><Size>${size}</Size></Contents>`;
}

function message(xml: string): string {
  try {
    parseListObjectsV2(xml);
    return "parsed";
  } catch (e) {
    assertEquals(e instanceof StoreError, true, String(e));
    return (e as Error).message;
  }
}

Deno.test("parseListObjectsV2: IsTruncated is read as an XML boolean, anything else refused", () => {
  for (
    const [text, truncated] of [["true", true], ["1", true], ["false", false], [
      "0",
      false,
    ]] as const
  ) {
    assertEquals(parseListObjectsV2(page(text, object("3"))).truncated, truncated, text);
  }
  for (const text of ["True", "yes", ""]) {
    const m = message(page(text, object("3")));
    assertEquals(m.includes("IsTruncated"), true, `${text}: ${m}`);
  }
});

Deno.test("parseListObjectsV2: a <Contents> with whitespace or attributes is refused, not skipped", () => {
  for (const open of ["<Contents >", '<Contents a="1">']) {
    const m = message(page("false", object("3").replace("<Contents>", open)));
    assertEquals(m.includes("<Contents>"), true, `${open}: ${m}`);
  }
});

Deno.test("parseListObjectsV2: a Size no object has is refused, naming the key", () => {
  for (const size of ["-5", "4.5", "abc", "", "99999999999999999999", "1e3"]) {
    const m = message(page("false", object(size)));
    assertEquals(m.includes("Size") && m.includes('"k"'), true, `${size}: ${m}`);
  }
  assertEquals(
    parseListObjectsV2(page("false", object("9007199254740991"))).objects[0]!.size,
    2 ** 53 - 1,
  );
  assertEquals(parseListObjectsV2(page("false", object("0"))).objects[0]!.size, 0);
});

Deno.test("parseListObjectsV2: a LastModified that is no date is refused, naming the key", () => {
  const m = message(page("false", object("3", "garbage")));
  assertEquals(m.includes("LastModified") && m.includes('"k"'), true, m);
  const ok = parseListObjectsV2(page("false", object("3")));
  assertEquals(ok.objects[0]!.lastModified.toISOString(), "2026-01-01T00:00:00.000Z");
});
