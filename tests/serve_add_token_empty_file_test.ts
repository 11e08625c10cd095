/**
 * `vc serve add-token` on an empty token file: one made beforehand with the
 * owner and mode the service needs (`install -m 0640 -g vc /dev/null
 * tokens.json`, as secrets are often set up) holds no tokens yet, as a
 * missing file. It was refused as "invalid JSON … Unexpected end of JSON
 * input"; now the token is added and the file keeps its mode.
 */
import { assertEquals } from "./assert.ts";
import { addToken } from "../src/server/auth.ts";
import { sha256Hex } from "../src/hash.ts";

Deno.test({
  name: "serve add-token: an empty token file takes the first token, keeping its mode",
  ignore: Deno.build.os === "windows", // no POSIX file modes on Windows
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-empty-tokens-" });
    try {
      for (const [name, empty] of [["zero.json", ""], ["blank.json", "\n  \n"]] as const) {
        const path = `${dir}/${name}`;
        await Deno.writeTextFile(path, empty);
        await Deno.chmod(path, 0o640);
        const token = await addToken(path, "alice");
        assertEquals(JSON.parse(await Deno.readTextFile(path)), { [sha256Hex(token)]: "alice" });
        assertEquals(((await Deno.stat(path)).mode! & 0o7777).toString(8), "640");
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
