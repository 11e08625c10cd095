/**
 * baiji-pod's prefill file is a YAML sequence (`- /foo/bar.csv`). Given to
 * `vc prefill --list`, each of its lines was refused as a bad item
 * (`"- /foo/bar.csv" is neither an s3:// or file:// URI nor a versioned
 * path`), which does not say what the file is or how to convert it. It is now
 * named as baiji-pod's YAML list, with the conversion; other bad lists are
 * refused by their lines as before.
 */
import { join } from "node:path";
import { listEntries } from "../src/prefill/mod.ts";
import { InvalidInputError } from "../mod.ts";
import { assert, assertRejects, assertStringIncludes } from "./assert.ts";

Deno.test("prefill list: baiji-pod's YAML prefill file is named as one, with how to convert it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc_list_yaml_" });
  try {
    const plain = join(dir, "prefill.yaml");
    await Deno.writeTextFile(plain, "- /foo/bar.csv\n- s3://b/k.csv\n");
    const marked = join(dir, "marked.yml");
    await Deno.writeTextFile(marked, '---\r\n# CI assets\r\n\r\n- "/foo/bar.csv"\r\n-\r\n...\r\n');
    for (const file of [plain, marked]) {
      const error = await assertRejects(() => listEntries(file), InvalidInputError);
      assertStringIncludes(error.message, `${file} is a YAML list (baiji-pod's prefill file`);
      assertStringIncludes(error.message, "sed -e '/^---/d' -e 's/^- //'");
    }
    // One item line among the entries: not a YAML list; the bad lines are named.
    const mixed = join(dir, "mixed.txt");
    await Deno.writeTextFile(mixed, "s3://b/k.csv\n- /foo/bar.csv\n");
    const error = await assertRejects(() => listEntries(mixed), InvalidInputError);
    assertStringIncludes(error.message, `${mixed}:2: "- /foo/bar.csv" is neither`);
    assert(!error.message.includes("YAML"), error.message);
    // A converted file is a list.
    const converted = join(dir, "list.txt");
    await Deno.writeTextFile(converted, "/foo/bar.csv\ns3://b/k.csv\n");
    assert((await listEntries(converted)).length === 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
