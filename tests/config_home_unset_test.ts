/**
 * A `~` path in a settings file read where HOME is not set (a CI container
 * without one) cannot be expanded: the error names the file and the key
 * that holds it, not the path alone.
 */
import { assert, assertStringIncludes } from "./assert.ts";
import { findProjectConfig, loadConfigFile } from "../src/config.ts";
import { InvalidInputError } from "../src/errors.ts";

function failure(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (e) {
    assert(e instanceof InvalidInputError, `not an InvalidInputError: ${e}`);
    return e;
  }
  throw new Error("expected an error");
}

Deno.test("config: a ~ path with HOME unset names the settings file and the key", () => {
  const dir = Deno.makeTempDirSync({ prefix: "vc-config-home-" });
  try {
    Deno.writeTextFileSync(`${dir}/config.json`, '{"manifest": "~/assets.json"}');
    const user = failure(() => loadConfigFile(`${dir}/config.json`, { env: {} }));
    assertStringIncludes(
      user.message,
      `config file ${dir}/config.json: "manifest": cannot expand ~/`,
    );
    Deno.writeTextFileSync(`${dir}/vc.json`, '{"cacheDir": "~/cache"}');
    const project = failure(() => findProjectConfig(dir, { env: {} }));
    assertStringIncludes(
      project.message,
      `config file ${dir}/vc.json: "cacheDir": cannot expand ~/`,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
