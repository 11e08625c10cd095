// A manifest value written as another tool's version range or tag (npm's
// `^1.0.0`, `~1.0.2`, `>=1.0.0`, `1.x`, `*`, `latest`) or with a `~/` home
// path was taken as a local override relative to the manifest's directory:
// `vc ls` listed `/a.csv  ^1.0.0` as if it were a pin, `vc ls --json` gave it
// as the "version", and `vc path` said that `/repo/^1.0.0` does not exist.
// Each is now refused as what it is, naming the entry, with the spelling for
// a local file that really has that name.
import { classifyValue, parseManifest } from "../src/versioned/manifest.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";

const CLI = new URL("../cli.ts", import.meta.url).pathname;

const RANGES = ["^1.0.0", "~1.0.2", ">=1.0.0", "> 1.0.0", "<2.0.0", "=1.0.2", "1.x", "1.0.x"];
const TAGS = ["1.0.*", "*", "latest", "LATEST"];

Deno.test("a version range or tag in a manifest is refused, not taken for a local file", () => {
  for (const value of [...RANGES, ...TAGS]) {
    const e = assertThrows(
      () => parseManifest(JSON.stringify({ "/a.csv": value }), "m.json"),
      InvalidInputError,
      `manifest m.json: entry "/a.csv": ${JSON.stringify(value)} is `,
    );
    assertStringIncludes(e.message, "vc pins exact versions (MAJOR.MINOR.PATCH, e.g. 1.2.5)");
    assertStringIncludes(e.message, `for a local file of that name write ./${value}`);
    assertThrows(() => classifyValue(value, "/repo/m.json"), InvalidInputError, value);
  }
  assertStringIncludes(
    assertThrows(() => parseManifest('{"/a.csv": "^1.0.0"}', "m.json")).message,
    "a version range",
  );
  assertStringIncludes(
    assertThrows(() => parseManifest('{"/a.csv": "latest"}', "m.json")).message,
    '`versions("/a.csv")` lists the versions',
  );
});

Deno.test("a ~/ override is refused: vc does not expand ~ as a shell would", () => {
  assertThrows(
    () => parseManifest('{"/a.csv": "~/data/a.csv"}', "m.json"),
    InvalidInputError,
    'manifest m.json: entry "/a.csv": "~/data/a.csv" starts with ~/, which vc does not expand',
  );
});

Deno.test("local files with such names are still overrides when written as paths", () => {
  for (const value of ["./^1.0.0", "./latest", "data/1.x", "/srv/~/a.csv", "./~/a.csv"]) {
    assertEquals(parseManifest(JSON.stringify({ "/a.csv": value }), "m.json")["/a.csv"], value);
    assertEquals(classifyValue(value, "/repo/m.json").kind, "override");
  }
  // Names that only begin like a range are file names as before.
  for (const value of ["latest.csv", "x.csv", "src/a.csv", "~a.csv"]) {
    assertEquals(classifyValue(value, "/repo/m.json").kind, "override");
  }
});

Deno.test("vc ls refuses a manifest pinning a version range, naming the entry", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-manifest-range-" });
  try {
    await Deno.writeTextFile(`${dir}/versioned_assets.json`, '{\n    "/a.csv": "^1.0.0"\n}\n');
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "ls", "--json"],
      cwd: dir,
      env: { NO_COLOR: "1", VC_BUCKET: `${dir}/bucket`, VC_CACHE_DIR: `${dir}/cache` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(out.code, 1);
    const error = JSON.parse(new TextDecoder().decode(out.stdout)).error;
    assertEquals(error.name, "InvalidInputError");
    assertStringIncludes(error.message, 'entry "/a.csv": "^1.0.0" is a version range');
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
