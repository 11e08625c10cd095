// `vc add /Data/table.csv` beside the manifest's `/data/table.csv` (a typo, or
// a file named `Table.csv` given its own name) published a second asset
// without a word, as an `add` of the path's other Unicode spelling no longer
// does. Letter case is a real difference in bucket keys and on Linux, so it
// is not refused; it is said before the upload, naming the manifest's
// spelling and what the twin breaks (on macOS and Windows both cannot be
// files in one directory: `vc sync` fails one of them).
import { VersionedCache } from "../src/versioned/mod.ts";
import { assertEquals, assertStringIncludes } from "./assert.ts";

Deno.test("add of a path differing from a manifest entry only in letter case warns first", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-add-case-twin-" });
  try {
    await Deno.writeTextFile(`${dir}/t.csv`, "x\n");
    await Deno.writeTextFile(`${dir}/m.json`, '{\n    "/data/table.csv": "./t.csv"\n}\n');
    await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket` });
    const warnings: Array<{ key: string; message: string }> = [];
    assertEquals(
      await vc.add("/Data/Table.csv", `${dir}/t.csv`, { onWarning: (w) => warnings.push(w) }),
      "1.0.0",
    );
    assertEquals(warnings.length, 1, JSON.stringify(warnings));
    const [w] = warnings;
    assertEquals(w!.key, "Data/Table.1.0.0.csv");
    assertStringIncludes(
      w!.message,
      `/Data/Table.csv differs from /data/table.csv, which ${dir}/m.json has, only in letter ` +
        "case; it is published as an asset of its own",
    );
    assertStringIncludes(w!.message, "on macOS and Windows");
    assertStringIncludes(w!.message, '`update("/data/table.csv", FILE)`');
    // Published and pinned, beside the other entry.
    assertEquals(await Deno.readTextFile(`${dir}/bucket/Data/Table.1.0.0.csv`), "x\n");

    // No twin, no warning.
    const none: unknown[] = [];
    await vc.add("/data/other.csv", `${dir}/t.csv`, { onWarning: (w) => none.push(w) });
    assertEquals(none, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("add of a path that only letter case tells from a folder of a manifest entry warns first", async () => {
  // `/Data` beside `/data/x.csv` (or `/data/x.csv` beside `/Data`): on Linux
  // a file and a folder of two names, published without a word; on macOS and
  // Windows one name, so `vc sync` there fails one of them on every checkout.
  const dir = await Deno.makeTempDir({ prefix: "vc-add-case-folder-" });
  try {
    await Deno.writeTextFile(`${dir}/t.csv`, "x\n");
    for (const [had, added] of [["/data/x.csv", "/Data"], ["/Data", "/data/x.csv"]] as const) {
      await Deno.writeTextFile(`${dir}/m.json`, JSON.stringify({ [had]: "./t.csv" }));
      await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket` });
      const warnings: Array<{ key: string; message: string }> = [];
      assertEquals(
        await vc.add(added, `${dir}/t.csv`, { onWarning: (w) => warnings.push(w) }),
        "1.0.0",
      );
      assertEquals(warnings.length, 1, JSON.stringify(warnings));
      assertStringIncludes(warnings[0]!.message, `${added} and ${had}, which ${dir}/m.json has`);
      assertStringIncludes(
        warnings[0]!.message,
        "/data/x.csv lies below /Data but for letter case",
      );
      assertStringIncludes(warnings[0]!.message, "on macOS and Windows");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
