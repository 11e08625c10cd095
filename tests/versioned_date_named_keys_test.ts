/**
 * Date-named files in a versioned bucket. A name shaped as a semver
 * pre-release of a path (`report.2024.1.5-final.pdf`) is a version of it
 * (`/report.pdf` at `2024.1.5-final`), as `report.2024.1.5.pdf` is one at
 * `2024.1.5`: vc cannot tell a date from calendar versioning (`2024.1.5-rc.1`),
 * and baiji-pod reads a pin `2024.1.5-final` from that same key. So it is
 * listed, read when pinned, and not warned of.
 *
 * With a leading zero (`photo.2024.01.05-final.jpg`) it is no version.
 * `vc ls-remote` does not warn of a leading zero alone (date-named files
 * have one), but warned of this name, since the `-final` once made it
 * "another tool's pre-release": a pre-release is a version now, so the name
 * is a date-named file as `photo.2024.01.05.jpg` is. `vc versions /photo.jpg`,
 * which asks of that path, still names both.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { workspace } from "./versioned_helpers.ts";

const NAMES = [
  "report.2024.1.5-final.pdf",
  "photo.2024.01.05.jpg",
  "photo.2024.01.05-final.jpg",
  "data.1.0.0.csv",
];

async function fill(bucket: string): Promise<void> {
  await Deno.mkdir(bucket, { recursive: true });
  for (const name of NAMES) await Deno.writeTextFile(join(bucket, name), name);
}

Deno.test("ls-remote: a date-named file with a suffix is listed or passed over as without one", async () => {
  await using ws = await workspace();
  await fill(ws.bucket);
  const warned: string[] = [];
  const rows = await ws.vc.lsRemote({ onWarning: (w) => warned.push(w.key) });
  assertEquals(rows, [
    { path: "/data.csv", versions: ["1.0.0"] },
    { path: "/report.pdf", versions: ["2024.1.5-final"] },
  ]);
  assertEquals(warned, []);
});

Deno.test("versions of a date-named path still names its leading-zero keys", async () => {
  await using ws = await workspace();
  await fill(ws.bucket);
  const warned: string[] = [];
  const versions = await ws.vc.versions("/photo.jpg", {
    onWarning: (w) => warned.push(w.key),
  });
  assertEquals(versions, []);
  assertEquals(warned.sort(), ["photo.2024.01.05-final.jpg", "photo.2024.01.05.jpg"]);
});

Deno.test("a pin of a date-named pre-release reads its key, as baiji-pod's uri makes it", async () => {
  await using ws = await workspace();
  await fill(ws.bucket);
  await Deno.writeTextFile(ws.manifest, JSON.stringify({ "/report.pdf": "2024.1.5-final" }));
  assertEquals(await Deno.readTextFile(await ws.vc.path("/report.pdf")), NAMES[0]);
});
