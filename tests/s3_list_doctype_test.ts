// A listing with a DOCTYPE declaring entities (a hostile proxy or server):
// the entities were not expanded, but a key holding a reference to one was
// listed as written ("l/k0&e;"), a key that does not exist. It must fail.
import { assertEquals } from "./assert.ts";
import { parseListObjectsV2 } from "../src/store/s3_list.ts";
import { StoreError } from "../src/errors.ts";

const BODY = "<ListBucketResult><IsTruncated>false</IsTruncated>" +
  "<Contents><Key>l/k0&e;</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>" +
  "<ETag>&quot;abc&quot;</ETag><Size>3</Size></Contents></ListBucketResult>";

function message(fn: () => unknown): string {
  try {
    fn();
    return "parsed";
  } catch (e) {
    assertEquals(e instanceof StoreError, true, String(e));
    return (e as Error).message;
  }
}

Deno.test("parseListObjectsV2: a DOCTYPE is refused, its entities never expanded", () => {
  const xml = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "AAAA">]>' + BODY;
  const m = message(() => parseListObjectsV2(xml));
  assertEquals(m.includes("DOCTYPE"), true, m);
});

Deno.test("parseListObjectsV2: a key with an entity S3 never writes is refused, not listed as written", () => {
  const m = message(() => parseListObjectsV2(BODY));
  assertEquals(m.includes("&e;"), true, m);
});

Deno.test("parseListObjectsV2: the predefined entities still decode", () => {
  const page = parseListObjectsV2(BODY.replace("&e;", "&amp;&#65;"));
  assertEquals(page.objects[0]!.key, "l/k0&A");
});
