import { assertEquals, assertStringIncludes } from "./assert.ts";
import { CliWorkspace } from "./cli_harness.ts";

// With --list, the default manifest is not read: a versioned path of the list
// fails, and its error says how to resolve it, even beside a
// ./versioned_assets.json that holds the path.
Deno.test("cli prefill --list: a versioned path without --manifest says to name one", async () => {
  await using ws = await CliWorkspace.create();
  await ws.write("bucket/a.1.0.0.csv", "aaaa");
  await ws.write("versioned_assets.json", '{"/a.csv": "1.0.0"}');
  await ws.write("list.txt", "/a.csv\n");
  const r = await ws.vc("prefill", "--list", "list.txt", "--json");
  assertEquals(r.code, 1, r.stderr);
  const [failure] = r.json<{ failed: { error: string }[] }>().failed;
  assertStringIncludes(
    failure!.error,
    "no manifest was given to resolve it: name one with --manifest",
  );
  assertStringIncludes(failure!.error, "not even ./versioned_assets.json or VC_MANIFEST");
  const ok = await ws.vc("prefill", "--list", "list.txt", "--manifest", "versioned_assets.json");
  assertEquals(ok.code, 0, ok.stderr);
});
