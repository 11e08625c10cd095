/**
 * `vc cache-client id JSON` sent its argument as written, so JSON that does
 * not parse (a shell that ate the quotes: `{tool: align}`), or that is no
 * object, failed only after a round trip, as the service's 400 and exit 1
 * (a failure of the service, not of the command line). Now it is a usage
 * error (exit 2) naming the argument, before any request; valid JSON is
 * still sent as written (numbers keep their form).
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { memoryIo } from "../src/cli/io.ts";
import { runCli } from "../src/cli/main.ts";
import { startService } from "./server_helpers.ts";

Deno.test("cache-client id: JSON that does not parse or is no object is a usage error", async () => {
  await using service = await startService();
  const env = {
    HOME: service.dir,
    VC_CACHE_URL: service.url,
    VC_CACHE_TOKEN: service.tokens.alice,
  };
  const before = service.logs.length;
  for (
    const [json, says] of [
      ["{tool: align}", "is not valid JSON"],
      ["", "is not valid JSON"],
      ["[1, 2]", "is not a JSON object"],
      ['"align"', "is not a JSON object"],
      ["null", "is not a JSON object"],
    ]
  ) {
    const io = memoryIo({ cwd: service.dir, env });
    assertEquals(await runCli(["cache-client", "id", json!], io), 2, io.stderr());
    assertStringIncludes(io.stderr(), `vc: JSON ${JSON.stringify(json)} ${says}`);
    assertStringIncludes(io.stderr(), "one JSON object, quoted for the shell");
    assertEquals(io.stdout(), "");
  }
  assertEquals(service.logs.length, before, "no request was sent");
  // Valid JSON is sent as written: 1.0 and 1 are other parameters.
  const ids = [];
  for (const json of ['{"k": 1.0}', '{"k": 1}']) {
    const io = memoryIo({ cwd: service.dir, env });
    assertEquals(await runCli(["cache-client", "id", json], io), 0, io.stderr());
    ids.push(io.stdout().trim());
  }
  assertEquals(ids[0]!.length, 128);
  assertEquals(ids[0] === ids[1], false, "numbers keep their form");
});
