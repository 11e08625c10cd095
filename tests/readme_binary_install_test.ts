/**
 * The README's install line for the release binaries said "put the one for
 * your platform on your PATH as `vc`". On Windows a file named `vc` (no
 * extension) is not run from the PATH, which finds commands by their
 * extension (`PATHEXT`): it has to be `vc.exe`. A binary downloaded with a
 * browser also loses its executable bit on Linux and macOS, and on macOS
 * carries the quarantine attribute, with which Gatekeeper refuses to start
 * an unnotarized program. The binary names the README gives must be the ones
 * `deno task compile` writes.
 */
import assert from "node:assert/strict";
import { basename } from "node:path";
import { outputFile, TARGETS } from "../scripts/compile.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
const install = readme.slice(readme.indexOf("## Install"), readme.indexOf("## Asset cache"));

Deno.test("README install: the binary is vc.exe on Windows, executable and out of quarantine on macOS", () => {
  assert.match(install, /`vc\.exe`/);
  assert.match(install, /chmod \+x/);
  assert.match(install, /xattr -d com\.apple\.quarantine/);
});

Deno.test("README install: every binary it names is one deno task compile writes", () => {
  const built = new Set(TARGETS.map((t) => basename(outputFile("dist", t))));
  const named = [...install.matchAll(/\bvc-[a-z0-9_]+-[a-z0-9_-]+(?:\.exe)?/g)].map((m) => m[0]);
  assert(named.length > 0, "the install section names a binary");
  for (const name of named) assert(built.has(name), `${name} is no binary the build writes`);
});
