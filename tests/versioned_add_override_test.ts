import { VersionedCache } from "../src/versioned/mod.ts";
import { assertEquals } from "./assert.ts";

// A developer tries a new asset as an override (baiji-pod's tip), then publishes
// it: `vc update` says "no versions, use vc add", so `vc add` must take it.
Deno.test("add publishes the first version of a path whose manifest entry is an override", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/dev.csv`, "x\n");
    await Deno.writeTextFile(
      `${dir}/m.json`,
      '{\n    "/a.csv": "./dev.csv",\n    "/b.csv": "./dev.csv"\n}\n',
    );
    await using vc = new VersionedCache({ manifest: `${dir}/m.json`, bucket: `${dir}/bucket` });
    assertEquals(await vc.add("/a.csv", `${dir}/dev.csv`), "1.0.0");
    assertEquals(
      await Deno.readTextFile(`${dir}/m.json`),
      '{\n    "/a.csv": "1.0.0",\n    "/b.csv": "./dev.csv"\n}\n',
    );
    assertEquals(await Deno.readTextFile(`${dir}/bucket/a.1.0.0.csv`), "x\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
