/**
 * What `jsr:@vc/vc` exports is what its README section documents: the main
 * entry re-exported all of `src/errors.ts`, internal helpers included
 * (`causeChain`, which joins an error's messages for vc's own reports, and
 * `resolvedOrReported`, the settings resolver's fallback step). A user who
 * found them in `deno doc` could depend on them, and any rename would break
 * that code; six error classes it exported were named nowhere in the README.
 */
import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "./assert.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("the main entry exports only what the README's Module API section names", async () => {
  const main: Record<string, unknown> = await import("../mod.ts");
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const section = readme.split("## Module API and subpath exports")[1]!.split("\n## ")[0]!;
  // Named in code quotes, as `AssetCache` or called, `errorKind(error)`.
  const named = (name: string) => section.includes(`\`${name}\``) || section.includes(`\`${name}(`);
  const unnamed = Object.keys(main).filter((name) => !named(name)).sort();
  assertEquals(unnamed, []);
  // The control: the scan saw the main entry's values.
  assert("AssetCache" in main && "errorKind" in main && "CallbackError" in main);
});

Deno.test("the main entry keeps vc's internal error helpers to itself", async () => {
  const main: Record<string, unknown> = await import("../mod.ts");
  for (const internal of ["causeChain", "resolvedOrReported"]) {
    assert(!(internal in main), `${internal} is exported by mod.ts`);
  }
  // Every error class of src/errors.ts still is (tests/error_class_exports_test.ts
  // checks the classes of every entry point).
  const errors: Record<string, unknown> = await import("../src/errors.ts");
  const missing = Object.entries(errors)
    .filter(([name, value]) => typeof value === "function" && /Error$/.test(name))
    .filter(([name, value]) => main[name] !== value)
    .map(([name]) => name);
  assertEquals(missing, []);
});
