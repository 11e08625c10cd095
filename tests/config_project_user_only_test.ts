/**
 * A project file (`vc.json`, a `deno.json` "vc" block) holding a setting of
 * one machine (`offline`, `manifest`, `parallelThreshold`, `rangeSize`) was
 * refused as an "unknown key", though the user config file takes the very
 * key: the user was sent to look for a typo. It is now refused as not a
 * project setting, saying where it goes instead; true typos stay unknown.
 */
import { assertEquals, assertThrows } from "./assert.ts";
import { findProjectConfig, loadConfigFile } from "../src/config.ts";
import { ConfigFileError } from "../src/errors.ts";

Deno.test("findProjectConfig: a user-only setting in a project file says where it goes", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    const cases: [string, unknown, string][] = [
      ["offline", true, "VC_OFFLINE"],
      ["manifest", "x.json", "VC_MANIFEST or --manifest"],
      ["parallelThreshold", "64MiB", "VC_PARALLEL_THRESHOLD"],
      ["rangeSize", "16MiB", "VC_RANGE_SIZE"],
    ];
    for (const [key, value, instead] of cases) {
      const body = JSON.stringify({ [key]: value });
      for (const name of ["vc.json", "deno.json"]) {
        await Deno.writeTextFile(`${dir}/${name}`, name === "vc.json" ? body : `{"vc": ${body}}`);
        const error = assertThrows(() => findProjectConfig(dir), ConfigFileError);
        const label = name === "vc.json" ? `${dir}/vc.json` : `${dir}/deno.json ("vc" block)`;
        const expected = `config file ${label}: "${key}" is not a project setting (`;
        assertEquals(error.message.startsWith(expected), true, error.message);
        assertEquals(error.message.includes(`set it in the user config file or ${instead};`), true);
        await Deno.remove(`${dir}/${name}`);
      }
      // The user config file takes it.
      await Deno.writeTextFile(`${dir}/config.json`, body);
      assertEquals(
        loadConfigFile(`${dir}/config.json`)?.config[key as "offline"] !== undefined,
        true,
      );
    }
    // A typo is still a typo.
    await Deno.writeTextFile(`${dir}/vc.json`, '{"bukket": "b"}');
    assertThrows(
      () => findProjectConfig(dir),
      ConfigFileError,
      'unknown key "bukket"; did you mean "bucket"?',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
