/**
 * `vc ls-remote` of a bucket another tool filled (`data.v1.0.0.csv`,
 * `data.2.0.0-rc.1.csv`, `data.1.1.0+ci.7.csv`) printed nothing and said
 * the bucket "holds no versioned assets", with no word of the keys a
 * migrating user could see in `aws s3 ls`; `vc versions /data.csv` named
 * them. ls-remote now warns of them as `vc versions` does (a pre-release,
 * since vc reads them, is listed as a version instead). A leading zero is
 * not taken for one there: date-named files (`photo.2024.01.05.jpg`) would
 * fill the warnings of a whole-bucket listing.
 */
import { join } from "node:path";
import { VersionedCache } from "../src/versioned/versioned_cache.ts";
import { assertEquals } from "./assert.ts";
import { tempDir } from "./versioned_helpers.ts";

Deno.test("ls-remote warns of keys shaped as versions vc does not read", async () => {
  await using dir = await tempDir("vc_ls_remote_foreign_");
  const bucket = join(dir.path, "bucket");
  await Deno.mkdir(join(bucket, "d"), { recursive: true });
  for (
    const name of [
      "data.v1.0.0.csv",
      "data.2.0.0-rc.1.csv",
      "d/data.1.1.0+ci.7.csv",
      "x.1.0.0.csv",
      "photo.2024.01.05.jpg",
      "notes.txt",
    ]
  ) {
    await Deno.writeTextFile(join(bucket, name), name);
  }
  const vc = new VersionedCache({ manifest: join(dir.path, "m.json"), bucket });
  try {
    const warned: string[] = [];
    const rows = await vc.lsRemote({ onWarning: (w) => warned.push(w.key) });
    // A pre-release is a version, listed (and not warned of).
    assertEquals(rows, [
      { path: "/data.csv", versions: ["2.0.0-rc.1"] },
      { path: "/x.csv", versions: ["1.0.0"] },
    ]);
    assertEquals(warned.sort(), ["d/data.1.1.0+ci.7.csv", "data.v1.0.0.csv"]);
  } finally {
    await vc.close();
  }
});
