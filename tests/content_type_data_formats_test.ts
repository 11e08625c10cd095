/**
 * Scientific and geographic data files go up with the content type
 * `aws s3 sync` gives them (Python's `mimetypes`: `.nc` and `.h5`), or their
 * IANA-registered one (`.geojson`, `.arrow`, `.gpkg`, `.sqlite`), not
 * `application/octet-stream`: a mirror of a dataset directory left every
 * NetCDF, HDF5 and GeoJSON file untyped where `aws s3 sync` typed them, and
 * `vc serve` offered them so.
 */
import { join } from "node:path";
import { contentTypeFor } from "../src/content_type.ts";
import { mirror } from "../src/mirror/mirror.ts";
import { openStore } from "../src/store/open.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { assertEquals } from "./assert.ts";
import { tempDir } from "./mirror_helpers.ts";
import { testS3Options } from "./versioned_helpers.ts";

const EXPECTED: Record<string, string> = {
  "temp.nc": "application/x-netcdf",
  "grid.h5": "application/x-hdf5",
  "grid.hdf5": "application/x-hdf5",
  "zones.geojson": "application/geo+json",
  "table.arrow": "application/vnd.apache.arrow.file",
  "layers.gpkg": "application/geopackage+sqlite3",
  "index.sqlite": "application/vnd.sqlite3",
};

Deno.test("contentTypeFor: data formats aws s3 sync types (or IANA registers) are typed", () => {
  for (const [name, type] of Object.entries(EXPECTED)) {
    assertEquals(contentTypeFor(name), type, name);
    assertEquals(contentTypeFor(name.toUpperCase()), type, name.toUpperCase());
  }
});

Deno.test("vc mirror uploads NetCDF, HDF5 and GeoJSON files with their content types", async () => {
  await using w = await tempDir();
  await using s3 = await startFakeS3({ buckets: ["b"] });
  const src = join(w.dir, "src");
  await Deno.mkdir(src);
  for (const name of Object.keys(EXPECTED)) await Deno.writeTextFile(join(src, name), name);
  const report = await mirror({
    sources: [src],
    target: "s3://b/data",
    statePath: join(w.dir, "s.db"),
    openStore: (uri) => openStore(uri, testS3Options(s3)),
  });
  assertEquals(report.transferred, Object.keys(EXPECTED).length);
  await using store = await openStore("s3://b/data", testS3Options(s3));
  for (const [name, type] of Object.entries(EXPECTED)) {
    assertEquals((await store.head(name))?.contentType, type, name);
  }
});
