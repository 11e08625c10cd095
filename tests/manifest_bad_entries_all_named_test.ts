/**
 * A manifest of thousands of entries with a few bad ones (a hand edit's
 * `"1.0"`, a tag's `"v1.0.0"`, a number) named only the first: a CI job
 * failed on it, was fixed, failed on the next, and so on, a run each. The
 * error still says the first at length, and names the others' keys, as a
 * list file's first bad line names the line numbers of the others.
 */
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { parseManifest } from "../src/versioned/manifest.ts";
import { InvalidInputError } from "../src/errors.ts";

Deno.test("parseManifest: every bad entry is named, the first at length", () => {
  const data: Record<string, unknown> = {};
  for (let i = 0; i < 2000; i++) data[`/data/f${i}.csv`] = "1.0.0";
  data["/data/f7.csv"] = "1.0";
  data["/data/f9.csv"] = "v1.0.0";
  data["/data/f11.csv"] = 2;
  const e = assertThrows(
    () => parseManifest(JSON.stringify(data), "m.json"),
    InvalidInputError,
  );
  const first = e.message.split("; other bad entries: ")[0]!;
  assertStringIncludes(first, `manifest m.json: entry "/data/f7.csv": "1.0" is not a version`);
  assertEquals(
    e.message.slice(first.length),
    `; other bad entries: "/data/f9.csv", "/data/f11.csv"`,
  );
});

Deno.test("parseManifest: one bad entry reads as it did, past five the rest are counted", () => {
  const one = assertThrows(() => parseManifest('{"/a.csv": "1.0"}', "m.json"), InvalidInputError);
  assertEquals(one.message.includes("other bad entries"), false);
  const data: Record<string, string> = {};
  for (let i = 0; i < 9; i++) data[`/b${i}.csv`] = "1.0";
  const many = assertThrows(() => parseManifest(JSON.stringify(data), "m.json"), InvalidInputError);
  assertStringIncludes(
    many.message,
    `; other bad entries: "/b1.csv", "/b2.csv", "/b3.csv", "/b4.csv", "/b5.csv" and 3 more`,
  );
});
