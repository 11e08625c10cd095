/**
 * The README's TypeScript examples are copied into other projects, so they
 * import vc only through its published entry points (`jsr:@vc/vc` and the
 * subpaths deno.json exports), never a path inside this checkout.
 */
import { fileURLToPath } from "node:url";
import { assertEquals } from "./assert.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("README: ts examples import vc only as jsr:@vc/vc[/subpath]", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
    exports: Record<string, string>;
  };
  const published = new Set(
    Object.keys(config.exports).map((k) => k === "." ? "jsr:@vc/vc" : `jsr:@vc/vc/${k.slice(2)}`),
  );
  // The store-contract example imports the reader's own store, which it names.
  const ownFiles = new Set(["./my_store.ts"]);
  const wrong: string[] = [];
  for (const block of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    for (const spec of block[1]!.matchAll(/^import [^;]*? from "([^"]+)";/gm)) {
      const s = spec[1]!;
      if (s.startsWith("node:") || published.has(s) || ownFiles.has(s)) continue;
      wrong.push(s);
    }
  }
  assertEquals(wrong, []);
});

Deno.test("README and mod.ts: the subpath table and the module doc name every export of deno.json", async () => {
  // Users learn from these two lists which entry points exist; one left out
  // (./repo, ./server and ./mirror were) is an API they never look for.
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const modDoc = (await Deno.readTextFile(`${ROOT}mod.ts`)).split("@module")[0]!;
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as {
    exports: Record<string, string>;
  };
  const section = readme.split("## Module API and subpath exports")[1]!.split("\n## ")[0]!;
  const tableRows = new Set(
    [...section.matchAll(/^\| `(jsr:@vc\/vc[^`]*)` +\|/gm)].map((m) => m[1]!),
  );
  const missing: string[] = [];
  for (const key of Object.keys(config.exports)) {
    const name = key === "." ? "jsr:@vc/vc" : `jsr:@vc/vc/${key.slice(2)}`;
    if (!tableRows.has(name)) missing.push(`README table: ${name}`);
    if (key !== "." && !modDoc.includes(`\`@vc/vc/${key.slice(2)}\``)) {
      missing.push(`mod.ts: @vc/vc/${key.slice(2)}`);
    }
  }
  assertEquals(missing, []);
  // The control: the table was found.
  assertEquals(tableRows.has("jsr:@vc/vc/store"), true);
});
