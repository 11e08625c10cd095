/**
 * A key shaped as a version of a path with a part past 2^53 - 1 was named in
 * a warning (and `update` refused) only when it was a plain release
 * (`x.9007199254740993.0.0.csv`). The same part with a pre-release, build
 * metadata or a `v` prefix (`x.9007199254740993.0.0-rc.1.csv`, written by
 * another tool; baiji-pod reads 9007199254740993.0.0 from it) was left out
 * in silence by `versions` and `ls-remote`, and `update --patch` published
 * below it. Each is now named as the plain one is, and `update` refuses.
 */
import { join } from "node:path";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

const SUFFIXED = [
  "x.9007199254740993.0.0-rc.1.csv",
  "x.1.9007199254740993.0+ci.7.csv",
  "x.v1.0.9007199254740993.csv",
];

for (const huge of SUFFIXED) {
  Deno.test(`versions, lsRemote and update name the oversized key ${huge}`, async () => {
    await using ws = await workspace();
    const file = await writeFile(ws.dir, "x.csv", "one\n");
    await ws.vc.add("/x.csv", file);
    await Deno.writeTextFile(join(ws.bucket, huge), "planted\n");

    const warnings: string[] = [];
    const listed = await ws.vc.versions("/x.csv", { onWarning: (w) => warnings.push(w.message) });
    assertEquals(listed, ["1.0.0"]);
    assertEquals(warnings.length, 1, warnings.join("\n"));
    assertStringIncludes(warnings[0]!, `${huge} in the bucket is a version of /x.csv`);
    assertStringIncludes(warnings[0]!, "larger than 9007199254740991");

    const remote: string[] = [];
    const all = await ws.vc.lsRemote({ onWarning: (w) => remote.push(w.message) });
    assertEquals(all, [{ path: "/x.csv", versions: ["1.0.0"] }]);
    assertEquals(remote.length, 1, remote.join("\n"));
    assertStringIncludes(remote[0]!, huge);

    await writeFile(ws.dir, "x.csv", "two\n");
    await assertRejects(
      () => ws.vc.update("/x.csv", file, { patch: true }),
      InvalidInputError,
      huge,
    );
    const names = [...Deno.readDirSync(ws.bucket)].map((d) => d.name).sort();
    assertEquals(names.filter((n) => n.startsWith("x.")), ["x.1.0.0.csv", huge].sort());
  });
}
