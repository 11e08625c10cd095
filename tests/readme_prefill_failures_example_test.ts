/**
 * The Prefill section quotes what a failed `vc prefill` prints on stderr (a
 * manifest entry whose version is missing, a list item whose object is
 * missing, the count). It showed the manifest entry failing as a list item's
 * URI does (`s3://…/w.1.0.0.bin does not exist in the store`), while vc says
 * `version 1.0.0 of /models/w.bin does not exist (…); available: …`, as the
 * section itself says above it: run the example's setup and compare.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { startFakeS3 } from "../src/testing/mod.ts";
import { CliWorkspace, withProcessEnv } from "./cli_harness.ts";

const README = await Deno.readTextFile(
  join(fileURLToPath(new URL("..", import.meta.url)), "README.md"),
);

/** The ```text block of the README that quotes `vc: prefill failed:` lines. */
function quoted(): string[] {
  const blocks = [...README.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1]!)
    .filter((b) => b.startsWith("vc: prefill failed:"));
  assertEquals(blocks.length, 1, "one README text block quotes prefill failures");
  return blocks[0]!.trimEnd().split("\n");
}

/** `line` as a pattern: each `…` stands for any text. */
function pattern(line: string): RegExp {
  const parts = line.split("…").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`);
}

Deno.test("README: the quoted prefill failures are what vc prints for them", async () => {
  await using s3 = await startFakeS3({ buckets: ["my-assets", "my-bucket"] });
  await s3.putObject("my-assets", "models/w.1.1.0.bin", "newer");
  await using ws = await CliWorkspace.create();
  await ws.write("ci/versioned_assets.json", '{\n    "/models/w.bin": "1.0.0"\n}\n');
  // 39 list items, the 7th missing: with the manifest entry, "2 of 40 items".
  const items: string[] = [];
  for (let i = 0; i < 39; i++) {
    items.push(
      i === 6
        ? "s3://my-bucket/raw/x.bin"
        : pathToFileURL(await ws.write(`src/f${i}.txt`, `${i}`)).href,
    );
  }
  await ws.write("ci/extra_assets.txt", items.join("\n") + "\n");
  let stderr = "";
  let code = -1;
  await withProcessEnv(s3.env, async () => {
    const run = await ws.run(
      ["prefill", "--manifest", "ci/versioned_assets.json", "--list", "ci/extra_assets.txt"],
      { ...s3.env, VC_BUCKET: "s3://my-assets" },
    );
    ({ stderr, code } = run);
  });
  assertEquals(code, 1, stderr);
  const printed = stderr.trimEnd().split("\n").map((l) => l.replaceAll(ws.dir, ""));
  const shown = quoted();
  assertEquals(printed.length, shown.length, printed.join("\n"));
  const differ = shown.filter((line, i) => !pattern(line).test(printed[i]!));
  assertEquals(differ, [], `printed:\n${printed.join("\n")}`);
});
