/**
 * A `--catalog sqlite:…` whose path would land elsewhere than its writer
 * meant is refused, naming what to give, and nothing is created:
 * - `sqlite:~/c.sqlite`: no shell expands that `~` (it is not at the word's
 *   start), and vc took it as it was: `init` made a directory `~` in the
 *   current one and kept the catalog there (a later `rm -rf ~` to remove it
 *   is a classic disaster);
 * - `sqlite://data/c.sqlite`, written as a URL with a host: its path was
 *   `//data/c.sqlite`, so `init` made `/data` at the root of the disk.
 * `sqlite:PATH`, `sqlite:///ABSOLUTE` and `sqlite:////ABSOLUTE` work as
 * before, and on Windows `sqlite://server/share/…` stays a UNC path.
 */
import { join } from "node:path";
import { parseCatalogRef } from "../src/repo/marker.ts";
import { InvalidInputError } from "../src/errors.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";
import { exists } from "./path_exists.ts";

Deno.test("repo init: sqlite:~/… and sqlite://NAME/… are refused, creating nothing", async () => {
  await withWorkspace(async (dir, vc) => {
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    const tilde = await vc(["repo", "init", "--catalog", "sqlite:~/c.sqlite"], env);
    // Refused as the flag's value, before anything is made (exit 2).
    assertEquals(tilde.code, 2, tilde.stderr);
    assertStringIncludes(tilde.stderr, "--catalog");
    assertStringIncludes(tilde.stderr, "a leading ~ is not expanded here");
    assertEquals(await exists(join(dir, "~")), false);

    // A "host" that makes the path land in this workspace, not at the root.
    const hosted = `sqlite:/${dir}/hosted/c.sqlite`;
    const host = await vc(["repo", "init", "--catalog", hosted], env);
    assertEquals(host.code, 2, host.stderr);
    assertStringIncludes(host.stderr, "a SQLite catalog has no host");
    assertEquals(await exists(join(dir, "hosted")), false);
    assertEquals(await exists(join(dir, "repo", ".vc-repo.json")), false);

    // The forms that name a path as meant still do.
    ok(await vc(["repo", "init", "--catalog", `sqlite:///${dir}/abs/c.sqlite`], env), "init");
    assertEquals(await exists(join(dir, "abs", "c.sqlite")), true);
  });
});

Deno.test("repo catalog: which sqlite: paths parseCatalogRef refuses", () => {
  for (const text of ["sqlite:~", "sqlite:~/c", "sqlite:~bob/c", "sqlite://h/c", "sqlite://~/c"]) {
    assertThrows(() => parseCatalogRef(text, "h", "/srv"), InvalidInputError, text);
  }
  const path = (text: string, os: typeof Deno.build.os = "linux") => {
    const ref = parseCatalogRef(text, "h", "/srv", os);
    return ref.kind === "sqlite" ? ref.path : ref.url;
  };
  assertEquals(path("sqlite:~c.sqlite"), "/srv/~c.sqlite"); // a name that starts with ~
  assertEquals(path("sqlite:c.sqlite"), "/srv/c.sqlite");
  assertEquals(path("sqlite:///var/c.sqlite"), "/var/c.sqlite");
  assertEquals(path("sqlite://server/share/c.sqlite", "windows"), "//server/share/c.sqlite");
});

Deno.test("--catalog sqlite: with a Windows drive path is refused off Windows, not made in the working directory", () => {
  // Off Windows `sqlite:C:\vc\c.sqlite` was the file "C:\vc\c.sqlite" in the
  // working directory, and `sqlite:///C:/vc/c.sqlite` (the URL form written on
  // Windows) a directory C: at the root.
  for (const os of ["linux", "darwin"] as const) {
    for (
      const text of ["sqlite:C:\\vc\\c.sqlite", "sqlite:C:/vc/c.sqlite", "sqlite:///C:/vc/c.sqlite"]
    ) {
      const error = assertThrows(() => parseCatalogRef(text, "h1", "/work", os), InvalidInputError);
      assertStringIncludes(error.message, `catalog "${text}"`);
      assertStringIncludes(error.message, "is a Windows path");
    }
    // Spelled as this system's paths, a directory named C: is one.
    assertEquals(parseCatalogRef("sqlite:/C:/vc/c.sqlite", "h1", "/work", os), {
      kind: "sqlite",
      path: "/C:/vc/c.sqlite",
      host: "h1",
    });
    assertEquals(
      parseCatalogRef("sqlite:./C:/c.sqlite", "h1", "/work", os),
      { kind: "sqlite", path: "/work/./C:/c.sqlite", host: "h1" },
    );
  }
  assertEquals(
    parseCatalogRef("sqlite:///C:/vc/c.sqlite", "h1", "C:\\w", "windows"),
    { kind: "sqlite", path: "C:/vc/c.sqlite", host: "h1" },
  );
});

Deno.test("--catalog sqlite:///C:/… off Windows says it names a directory C: at the root, and how to name that one", () => {
  const text = "sqlite:///C:/vc/c.sqlite";
  const error = assertThrows(
    () => parseCatalogRef(text, "h1", "/work", "linux"),
    InvalidInputError,
  );
  assertStringIncludes(error.message, "is a Windows path");
  assertStringIncludes(error.message, '/C:/vc/c.sqlite, a directory "C:" at the root');
  // The way to name that directory, not a relative path the form never meant.
  assertStringIncludes(error.message, "sqlite:/C:/vc/c.sqlite for");
  assertEquals(error.message.includes("relative path"), false, error.message);
  assertEquals(error.message.includes("./C:"), false, error.message);
});

Deno.test("repo init: a catalog with a line break or a space at an end is refused naming the one meant, creating nothing", async () => {
  // A YAML block (`VC_REPO_CATALOG: |`) or a CRLF file leaves "…\n": `init`
  // made the file "c.sqlite\n" beside the one meant and recorded it in the
  // marker, and VC_REPO_CATALOG=" sqlite:…" was "not sqlite:PATH".
  await withWorkspace(async (dir, vc) => {
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    const meant = `sqlite:${dir}/c.sqlite`;
    const flag = await vc(["repo", "init", "--catalog", `${meant}\n`], env);
    assertEquals(flag.code, 2, flag.stderr);
    assertStringIncludes(flag.stderr, "--catalog");
    assertStringIncludes(flag.stderr, `ends with whitespace`);
    assertStringIncludes(flag.stderr, `did you mean ${JSON.stringify(meant)}?`);
    const variable = await vc(["repo", "init"], { ...env, VC_REPO_CATALOG: ` ${meant}` });
    assertEquals(variable.code, 1, variable.stderr);
    assertStringIncludes(variable.stderr, "VC_REPO_CATALOG");
    assertStringIncludes(variable.stderr, `starts with whitespace`);
    // (Listed, not looked up: Windows refuses a name with a line break.)
    const made: string[] = [];
    for await (const entry of Deno.readDir(dir)) made.push(entry.name);
    assertEquals(made.filter((name) => name.includes("c.sqlite")), []);
    assertEquals(await exists(join(dir, "repo", ".vc-repo.json")), false);
  });
  for (const text of ["postgres://vc:s3cr3t@db/vc\r\n", "sqlite:/srv/c.sqlite "]) {
    const e = assertThrows(() => parseCatalogRef(text, "h", "/srv"), InvalidInputError);
    assertStringIncludes(e.message, "ends with whitespace");
    assertEquals(e.message.includes("s3cr3t"), false, e.message);
  }
});
