/**
 * `vc ls --json` printed an override under `"version"`, as written
 * (`"version": "./x.csv"`), with nothing to tell it from a pinned version
 * but its shape: a script reading versions took a path for one. Each
 * override's row now says so (`"override"`: the location vc reads, a
 * relative path resolved against the manifest's directory); `"version"`
 * keeps the value as written, as before, and a pinned version's row is
 * unchanged. The text output marks overrides too.
 */
import { assertEquals } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

Deno.test("vc ls --json tells overrides from pinned versions", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write(
    "versioned_assets.json",
    JSON.stringify({
      "/a.csv": "1.2.5",
      "/b.csv": "./dev/b.csv",
      "/c.csv": "s3://other/c.csv",
      "/d.csv": "src/d.csv",
    }),
  );
  const r = await ws.run(["ls", "--json"]); // needs no bucket
  assertEquals(r.code, 0, r.stderr);
  assertEquals(r.json(), [
    { path: "/a.csv", version: "1.2.5" },
    { path: "/b.csv", version: "./dev/b.csv", override: ws.path("dev/b.csv") },
    { path: "/c.csv", version: "s3://other/c.csv", override: "s3://other/c.csv" },
    { path: "/d.csv", version: "src/d.csv", override: ws.path("src/d.csv") },
  ]);
  const text = await ws.run(["ls"]);
  assertEquals(text.code, 0, text.stderr);
  assertEquals(
    text.stdout,
    "/a.csv  1.2.5\n" +
      "/b.csv  ./dev/b.csv (override)\n" +
      "/c.csv  s3://other/c.csv (override)\n" +
      "/d.csv  src/d.csv (override)\n",
  );
});
