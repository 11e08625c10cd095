import { join } from "node:path";
import { displayWidth, keepEndColumns } from "../src/display_width.ts";
import { table } from "../src/cli/output.ts";
import { ProgressBar } from "../src/progress.ts";
import { assert, assertEquals } from "./assert.ts";
import { ok, withWorkspace } from "./cli_process.ts";

/** Column (in terminal columns) where `needle` starts in `line`. */
function columnOf(line: string, needle: string): number {
  return displayWidth(line.slice(0, line.indexOf(needle)));
}

Deno.test("table: columns align by terminal width, not UTF-16 length", () => {
  const lines = table([
    ["ID", "PATH", "TAGS"],
    ["1", "/raw/a.csv", "ascii"],
    ["2", "/数据/文件.csv", "标签"],
    ["3", "/e/cafe\u0301.txt", "ok"],
    ["4", "/e/\u{1F600}.txt", "smile"],
  ]);
  const at = lines.map((line, i) => columnOf(line, ["TAGS", "ascii", "标签", "ok", "smile"][i]!));
  assertEquals(new Set(at).size, 1, `TAGS column at ${at.join(", ")}:\n${lines.join("\n")}`);
});

Deno.test("progress: a line of wide characters never takes more columns than the terminal", () => {
  for (const columns of [40, 60, 80, 120]) {
    let screen = "";
    const bar = new ProgressBar({
      label: "upload /数据/" + "很长的文件名称".repeat(12) + ".bin",
      enabled: true,
      write: (s) => (screen += s),
      now: () => 0,
      columns,
    });
    bar.update({ bytes: 1_000_000, totalBytes: 9_000_000, current: "/表/" + "名".repeat(80) });
    const line = bar.line();
    assert(
      displayWidth(line) <= columns - 1,
      `${displayWidth(line)} columns of ${columns}: ${line}`,
    );
    assert(line.includes("11%"), line);
    assert(!/[\ud800-\udfff]/.test(line.replace(/[\ud800-\udbff][\udc00-\udfff]/g, "")), line);
    bar.done();
  }
});

Deno.test("keepEndColumns: cuts between code points, never a lone surrogate or mark", () => {
  assertEquals(keepEndColumns("ab\u{1F600}\u{1F600}", 3), "\u{1F600}");
  assertEquals(keepEndColumns("xe\u0301", 0), "");
  assertEquals(keepEndColumns("xe\u0301z", 2), "e\u0301z");
});

Deno.test("vc repo ls (process): CJK and combined paths keep the table aligned", async () => {
  await withWorkspace(async (dir, vc) => {
    const env = { VC_REPO: `file://${join(dir, "repo")}` };
    await Deno.writeTextFile(join(dir, "f.csv"), "x\n");
    ok(await vc(["repo", "init"], env), "init");
    ok(await vc(["repo", "add", "/raw/a.csv", "f.csv", "--tag", "ascii"], env), "add ascii");
    ok(await vc(["repo", "add", "/数据/文件.csv", "f.csv", "--tag", "标签"], env), "add cjk");
    ok(await vc(["repo", "add", "/e/cafe\u0301.csv", "f.csv", "--tag", "ok"], env), "add nfd");
    const lines = ok(await vc(["repo", "ls"], env), "ls").stdout.trimEnd().split("\n");
    const at = lines.map((line, i) => columnOf(line, ["TAGS", "ascii", "标签", "ok"][i]!));
    assertEquals(new Set(at).size, 1, `TAGS column at ${at.join(", ")}:\n${lines.join("\n")}`);
  });
});
