/**
 * "-" as a local path flag or variable (`--lock -`, `--manifest -`,
 * `--cache-dir -`, `VC_LOCK=-`): `vc lock --lock -` wrote a lock file named
 * "-" into the working directory, where a user of `vc get PATH -` expected
 * standard output. It is refused naming the flag, with `./-` for such a file.
 */
import { join } from "node:path";
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

Deno.test("a local path flag or variable of - is refused, never a file named -", async () => {
  await withWorkspace(async (dir, vc) => {
    await Deno.writeTextFile(join(dir, "a.csv"), "a,b\n");
    ok(await vc(["add", "/a.csv", "a.csv"]), "add");
    for (
      const [args, env, what, code] of [
        [["lock", "--lock", "-"], {}, "--lock", 2],
        [["ls", "--manifest", "-"], {}, "--manifest", 2],
        [["cache", "dir", "--cache-dir", "-"], {}, "--cache-dir", 2],
        [["lock"], { VC_LOCK: "-" }, "VC_LOCK", 1],
      ] as const
    ) {
      const r = await vc([...args], env);
      assertEquals(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assertStringIncludes(r.stderr, `${what} -: vc reads no standard input`);
      assertStringIncludes(r.stderr, "./- for one named -");
    }
    assertEquals(await Deno.lstat(join(dir, "-")).catch(() => undefined), undefined);
    // ./- is a file named "-".
    ok(await vc(["lock", "--lock", "./-"]), "lock --lock ./-");
    assertStringIncludes(await Deno.readTextFile(join(dir, "-")), "/a.csv");
  });
});
