/**
 * The README says a store is the same however its URI is typed, and gives
 * pairs (`A` is `B`). Each spelling it shows must be one a command takes, and
 * name the same store: `s3://b//data/` was shown as `s3://b/data`, while every
 * command refuses a prefix with an empty segment.
 */
import { assert, assertEquals } from "./assert.ts";
import { openStore } from "../src/store/mod.ts";

Deno.test("README: each store URI spelling it calls the same as another opens that store", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const pairs = [
    ...readme.replace(/\s+/g, " ").matchAll(
      /`((?:s3|file):\/\/[^`\s]*)` is `((?:s3|file):\/\/[^`\s]*)`/g,
    ),
  ].map((m) => [m[1]!, m[2]!] as const);
  // The control: the sentence was found.
  assert(pairs.length >= 2, `pairs found: ${JSON.stringify(pairs)}`);
  const wrong: string[] = [];
  for (const [typed, meant] of pairs) {
    try {
      await using a = await openStore(typed, { s3: { region: "us-east-1" } });
      await using b = await openStore(meant, { s3: { region: "us-east-1" } });
      if (a.url !== b.url) wrong.push(`${typed}: ${a.url}, not ${b.url}`);
    } catch (e) {
      wrong.push(`${typed}: ${(e as Error).message}`);
    }
  }
  assertEquals(wrong, []);
});
