// Every command (a warm `vc path` included) probes settings files that are
// almost always missing: the user's config file, then vc.json, deno.json and
// deno.jsonc in every directory up to the root. Deno reports a missing file
// by building an error, the costliest part of a failed look, so each missing
// name must cost one failed look, not two (a failed read, then a failed
// readlink asking whether the name was a symbolic link to nothing). Counted
// by wrapping Deno's file functions in-process; a dangling link is still
// told apart from a missing file (the control).
import { findProjectConfig, loadConfigFile } from "../src/config.ts";
import { assert, assertEquals, assertThrows } from "./assert.ts";

type Looks = Map<string, number>;

/** Runs `fn`, counting the failed looks (NotFound) at each path. */
function failedLooks<T>(fn: () => T): { result: T; looks: Looks } {
  const looks: Looks = new Map();
  const names = ["statSync", "lstatSync", "readLinkSync", "readFileSync", "openSync"] as const;
  const saved = names.map((n) => [n, Deno[n]] as const);
  for (const [name, original] of saved) {
    // deno-lint-ignore no-explicit-any
    (Deno as any)[name] = (path: string | URL, ...rest: unknown[]) => {
      try {
        // deno-lint-ignore no-explicit-any
        return (original as any)(path, ...rest);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) {
          looks.set(String(path), (looks.get(String(path)) ?? 0) + 1);
        }
        throw error;
      }
    };
  }
  try {
    return { result: fn(), looks };
  } finally {
    // deno-lint-ignore no-explicit-any
    for (const [name, original] of saved) (Deno as any)[name] = original;
  }
}

/** Whether every user may write to `dir` (where the lookup also checks who made a file). */
function openToAll(dir: string): boolean {
  try {
    return ((Deno.statSync(dir).mode ?? 0) & 0o002) !== 0;
  } catch {
    return false;
  }
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf("/")) || "/";

Deno.test({
  name: "project lookup: one failed look per missing settings file name",
  ignore: Deno.build.os === "windows",
  fn() {
    const dir = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "config_missing_look_" }));
    try {
      Deno.mkdirSync(`${dir}/a/b`, { recursive: true });
      const { result, looks } = failedLooks(() => findProjectConfig(`${dir}/a/b`));
      assertEquals(result, undefined);
      // The probes of this test's own directories: three names in each.
      for (const d of [`${dir}/a/b`, `${dir}/a`, dir]) {
        for (const name of ["vc.json", "deno.json", "deno.jsonc"]) {
          assertEquals(looks.get(`${d}/${name}`), 1, `${d}/${name}`);
        }
      }
      // And above it (a world-writable /tmp also has its files' owners looked at).
      for (const [path, n] of looks) {
        if (!openToAll(dirOf(path))) assertEquals(n, 1, path);
      }
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "config file: one failed look when the default one is missing",
  ignore: Deno.build.os === "windows",
  fn() {
    const dir = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "config_missing_look_" }));
    try {
      const { result, looks } = failedLooks(() =>
        loadConfigFile(undefined, { env: { XDG_CONFIG_HOME: dir } })
      );
      assertEquals(result, undefined);
      assertEquals([...looks], [[`${dir}/vc/config.json`, 1]]);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "missing settings files: a link to nothing is still told from a missing file",
  ignore: Deno.build.os === "windows",
  fn() {
    const dir = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "config_missing_look_" }));
    try {
      Deno.mkdirSync(`${dir}/vc`);
      Deno.symlinkSync(`${dir}/gone.json`, `${dir}/vc.json`);
      const project = assertThrows(() => findProjectConfig(dir));
      assert(
        /symbolic link to .*gone\.json.*does not exist/.test(project.message),
        project.message,
      );
      Deno.symlinkSync(`${dir}/gone.json`, `${dir}/vc/config.json`);
      const config = assertThrows(() =>
        loadConfigFile(undefined, { env: { XDG_CONFIG_HOME: dir } })
      );
      assert(/symbolic link to .*gone\.json.*does not exist/.test(config.message), config.message);
      // A required file that is missing says so as before.
      const required = assertThrows(() => loadConfigFile(`${dir}/none.json`));
      assert(/cannot read config file .*none\.json: No such file/.test(required.message));
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
