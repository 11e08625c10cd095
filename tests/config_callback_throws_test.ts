/**
 * `resolveSettings`' `onFileError` and `onSettingError` that threw came out
 * of it as the bare value thrown (as if the settings were broken), and one
 * whose promise rejected (an `async` callback) ended the process with an
 * unhandled rejection. Now a throw is a `CallbackError` naming the callback,
 * its `cause` what was thrown; a rejection, which comes after this
 * synchronous call returned, is ignored (as `warn`'s is).
 */
import { resolveSettings } from "../src/config.ts";
import { CallbackError } from "../src/errors.ts";
import { assert, assertEquals } from "./assert.ts";

for (const name of ["onFileError", "onSettingError"] as const) {
  for (const how of ["throws", "rejects"] as const) {
    Deno.test(`resolveSettings: an ${name} that ${how}`, async () => {
      const dir = await Deno.makeTempDir({ prefix: "vc-config-cb-" });
      try {
        const configPath = `${dir}/config.json`;
        await Deno.writeTextFile(configPath, "{ broken");
        const boom = new Error(`${name} ${how}`);
        let called = 0;
        const fail = () => {
          called++;
          if (how === "throws") throw boom;
          return Promise.reject(boom) as unknown as void;
        };
        const options = name === "onFileError"
          ? { configPath, onFileError: fail, env: { VC_CACHE_DIR: dir } }
          : {
            configPath: false as const,
            onSettingError: fail,
            env: { VC_CACHE_DIR: dir, VC_OFFLINE: "maybe" },
          };
        if (how === "throws") {
          let caught: unknown;
          try {
            resolveSettings(options);
          } catch (error) {
            caught = error;
          }
          assert(caught instanceof CallbackError, `threw ${caught}`);
          assertEquals(caught.callback, name);
          assert(caught.cause === boom, `cause: ${caught.cause}`);
        } else {
          resolveSettings(options);
          // The rejection is handled: nothing unhandled ends the test.
          await new Promise((r) => setTimeout(r, 0));
        }
        assertEquals(called, 1);
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  }
}
