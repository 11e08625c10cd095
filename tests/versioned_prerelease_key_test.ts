/**
 * Pre-release keys (`x.2.0.0-rc.1.csv`, as baiji-pod and npm-minded teams
 * publish release candidates) were keys vc "did not read": left out of
 * `vc versions` with a warning, refused as a pin, as VERSION and as
 * `--version`. They are semver versions, so vc now reads them: `vc versions`
 * and `vc ls-remote` list them in semver order (below their release), and
 * `vc update`'s bumps never land on one: `--patch` builds on the latest
 * release (a 1.x patch beside a 2.0 candidate is ordinary practice, and says
 * nothing of the candidate), `--version 2.0.0-rc.2` publishes one when asked.
 * Build-metadata keys (`x.1.0.0+b.csv`), which semver gives no order, stay
 * keys vc warns of.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects, assertStringIncludes } from "./assert.ts";
import { InvalidInputError } from "../src/errors.ts";
import { workspace, writeFile } from "./versioned_helpers.ts";

const bucketNames = (bucket: string, prefix: string) =>
  [...Deno.readDirSync(bucket)].map((d) => d.name).filter((n) => n.startsWith(prefix)).sort();

Deno.test("versions lists pre-releases in semver order; bumps build on the latest release", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "x.csv", "one\n");
  await ws.vc.add("/x.csv", file);
  for (const name of ["x.2.0.0-rc.1.csv", "x.2.0.0-beta.11.csv", "x.2.0.0-beta.2.csv"]) {
    await Deno.writeTextFile(join(ws.bucket, name), `${name}\n`);
  }
  await Deno.writeTextFile(join(ws.bucket, "x.1.0.0+build.5.csv"), "planted\n");
  const warnings: string[] = [];
  const listed = await ws.vc.versions("/x.csv", { onWarning: (w) => warnings.push(w.message) });
  assertEquals(listed, ["1.0.0", "2.0.0-beta.2", "2.0.0-beta.11", "2.0.0-rc.1"]);
  assertEquals(warnings.length, 1, warnings.join("\n"));
  assertStringIncludes(warnings[0]!, "x.1.0.0+build.5.csv");

  // --patch builds on 1.0.0, the latest release; the candidate is not moved onto.
  await writeFile(ws.dir, "x.csv", "two\n");
  const said: string[] = [];
  const patch = await ws.vc.update("/x.csv", file, { patch: true }, {
    onWarning: (w) => said.push(w.message),
  });
  assertEquals([patch.from, patch.to], ["1.0.0", "1.0.1"]);
  assert(!said.some((w) => w.includes("rc.1")), said.join("\n"));
  assertEquals(JSON.parse(await Deno.readTextFile(ws.manifest)), { "/x.csv": "1.0.1" });

  // A pre-release when asked for: pinned, and read back.
  await writeFile(ws.dir, "x.csv", "rc2\n");
  const rc2 = await ws.vc.update("/x.csv", file, { version: "2.0.0-rc.2" });
  assertEquals(rc2.to, "2.0.0-rc.2");
  assertEquals(JSON.parse(await Deno.readTextFile(ws.manifest)), { "/x.csv": "2.0.0-rc.2" });
  assertEquals(await Deno.readTextFile(await ws.vc.path("/x.csv")), "rc2\n");
  assertEquals(
    await Deno.readTextFile(await ws.vc.path("/x.csv", "2.0.0-beta.2")),
    "x.2.0.0-beta.2.csv\n",
  );

  // Pinned to a candidate, --patch releases it (semver's inc), --major too.
  await writeFile(ws.dir, "x.csv", "two final\n");
  const release = await ws.vc.update("/x.csv", file, { patch: true });
  assertEquals([release.from, release.to], ["2.0.0-rc.2", "2.0.0"]);
  assertEquals((await ws.vc.versions("/x.csv")).at(-1), "2.0.0");
  // An explicit version not above the latest release is refused as before.
  await writeFile(ws.dir, "x.csv", "late rc\n");
  await assertRejects(
    () => ws.vc.update("/x.csv", file, { version: "2.0.0-rc.3" }),
    InvalidInputError,
    "must be greater than the latest version 2.0.0",
  );
});

Deno.test("add refuses a path that has only pre-releases; update's --patch releases it", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "n.csv", "n\n");
  await Deno.mkdir(ws.bucket, { recursive: true });
  await Deno.writeTextFile(join(ws.bucket, "q.1.0.0-rc.1.csv"), "rc\n");
  await assertRejects(
    () => ws.vc.add("/q.csv", file),
    InvalidInputError,
    "already has versions in",
  );
  const r = await ws.vc.update("/q.csv", file, { patch: true });
  assertEquals([r.from, r.to], ["1.0.0-rc.1", "1.0.0"]);
  assertEquals(bucketNames(ws.bucket, "q."), ["q.1.0.0-rc.1.csv", "q.1.0.0.csv"]);

  // add --version of a pre-release starts a path at a candidate.
  const first = await ws.vc.add("/p.csv", file, { version: "0.1.0-alpha.1" });
  assertEquals(first, "0.1.0-alpha.1");
  assertEquals(bucketNames(ws.bucket, "p."), ["p.0.1.0-alpha.1.csv"]);

  // A build key below: still warned of, naming the version that passes it.
  await Deno.writeTextFile(join(ws.bucket, "w.1.0.0+b.csv"), "build\n");
  const warned: string[] = [];
  assertEquals(
    await ws.vc.add("/w.csv", file, { onWarning: (w) => warned.push(w.message) }),
    "1.0.0",
  );
  assertEquals(warned.length, 1);
  assertStringIncludes(warned[0] ?? "", "w.1.0.0+b.csv");
});

Deno.test("update --version of a pre-release the bucket holds with other content is refused up front", async () => {
  await using ws = await workspace();
  const file = await writeFile(ws.dir, "x.csv", "one\n");
  await ws.vc.add("/x.csv", file);
  // A teammate's candidate, above the release this manifest pins.
  await Deno.writeTextFile(join(ws.bucket, "x.2.0.0-rc.1.csv"), "theirs\n");
  await writeFile(ws.dir, "x.csv", "mine\n");
  // "published by someone else meanwhile; run update again" sent the user
  // round in a circle: it was there before, and would be there again.
  const error = await assertRejects(
    () => ws.vc.update("/x.csv", file, { version: "2.0.0-rc.1" }),
    InvalidInputError,
    "holds 2.0.0-rc.1 of /x.csv already, with other content",
  );
  assertStringIncludes(error.message, "versions are never replaced");
  assertEquals(JSON.parse(await Deno.readTextFile(ws.manifest)), { "/x.csv": "1.0.0" });
  assertEquals(await Deno.readTextFile(join(ws.bucket, "x.2.0.0-rc.1.csv")), "theirs\n");
  // The same content: pinned as it is, as before.
  await writeFile(ws.dir, "x.csv", "theirs\n");
  const same = await ws.vc.update("/x.csv", file, { version: "2.0.0-rc.1" }, {
    onWarning: () => {},
  });
  assertEquals(same.to, "2.0.0-rc.1");
  assertEquals(JSON.parse(await Deno.readTextFile(ws.manifest)), { "/x.csv": "2.0.0-rc.1" });
});
