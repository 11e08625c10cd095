/**
 * A download's ASCII `filename` (the fallback beside RFC 6266 `filename*`)
 * spells a non-ASCII name in US-ASCII letters where it can (RFC 6266
 * appendix D: `é` as `e`, `ß` as `ss`, a ligature as its letters), as that
 * is the name the clients that read only `filename` save under: `curl -OJ`,
 * and Python's `email.message` (`get_filename()` takes the first of the
 * two). Before, each such character was `_`: `naïve résumé.txt` was saved as
 * `na_ve r_sum_.txt`. `filename*` still has the exact name (wget, browsers),
 * and the fallback never gains a character the name did not have as such
 * (a full-width `／`, `．` or `＂` stays `_`, never `/`, `.` or `"`).
 */
import { assert, assertEquals } from "./assert.ts";
import { newCacheId, startService, type TestService, upload } from "./server_helpers.ts";
import { commandAvailable } from "./command_available.ts";

const CASES: [string, string][] = [
  ["naïve résumé.txt", "naive resume.txt"],
  ["re\u0301sume\u0301.txt", "resume.txt"], // decomposed (NFD), as macOS names files
  ["Straße Ærøskøbing.csv", "Strasse AEroskobing.csv"],
  ["ﬁnal①.tsv", "final1.tsv"],
  ["日本語.csv", "___.csv"],
  ["＂．／x.txt", "___x.txt"],
  ['100% "raw".txt', "100_ _raw_.txt"],
];

async function storedAs(t: TestService, name: string): Promise<string> {
  const id = (await newCacheId(t.url, t.tokens.alice, { name })).doc.cache_id as string;
  assertEquals((await upload(t.url, t.tokens.alice, id, "data", name)).status, 200, name);
  return `${t.url}/v1/cache/${id}`;
}

Deno.test("fetch: a download's ASCII filename transliterates the name; filename* keeps it exact", async () => {
  await using t = await startService();
  for (const [name, ascii] of CASES) {
    const res = await fetch(await storedAs(t, name), {
      headers: { authorization: t.tokens.alice },
    });
    assertEquals(await res.text(), "data");
    const m = /^attachment; filename="([\x20-\x7e]*)"; filename\*=UTF-8''(\S+)$/.exec(
      res.headers.get("content-disposition")!,
    );
    assert(m !== null, res.headers.get("content-disposition")!);
    assertEquals(m[1], ascii, name);
    assertEquals(decodeURIComponent(m[2]!), name);
  }
});

Deno.test({
  name: "curl -OJ saves a non-ASCII name spelled in ASCII letters",
  ignore: !commandAvailable("curl"), // curl is not installed
  async fn() {
    await using t = await startService();
    const dir = await Deno.makeTempDir({ prefix: "vc_curl_oj_" });
    try {
      const url = await storedAs(t, "naïve résumé.txt");
      const out = await new Deno.Command("curl", {
        args: ["-sS", "-f", "-O", "-J", "-H", `Authorization: ${t.tokens.alice}`, url],
        cwd: dir,
        stdout: "null",
        stderr: "piped",
      }).output();
      assert(out.success, new TextDecoder().decode(out.stderr));
      const names = [];
      for await (const e of Deno.readDir(dir)) names.push(e.name);
      assertEquals(names, ["naive resume.txt"]);
      assertEquals(await Deno.readTextFile(`${dir}/naive resume.txt`), "data");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "Python's email.message get_filename() reads a non-ASCII name spelled in ASCII letters",
  ignore: !commandAvailable("python3"), // python3 is not installed
  async fn() {
    await using t = await startService();
    const url = await storedAs(t, "Straße.csv");
    const script = [
      "import sys, urllib.request, email.message",
      "req = urllib.request.Request(sys.argv[1], headers={'Authorization': sys.argv[2]})",
      "res = urllib.request.urlopen(req)",
      "msg = email.message.Message()",
      "msg['Content-Disposition'] = res.headers['Content-Disposition']",
      "print(msg.get_filename(), res.read().decode())",
    ].join("\n");
    const out = await new Deno.Command("python3", {
      args: ["-c", script, url, t.tokens.alice],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert(out.success, new TextDecoder().decode(out.stderr));
    assertEquals(new TextDecoder().decode(out.stdout).trim(), "Strasse.csv data");
  },
});
