/**
 * Windows 8.3 short names: where a volume makes them (the system drive, by
 * default), `longer~1.csv` opens the file `longername.csv` of its directory,
 * so a key or manifest path of that form would be written over another
 * key's file. A mirror, `vc sync`, `vc repo get` and a directory store refuse
 * such a name on Windows, naming it; the cache escapes its `~`. Run on Linux
 * by switching `fsPlatform` (`withFsPlatform`): this proves vc's logic for
 * Windows, not Windows' own name rules. Off Windows such names stay as they are.
 */
import { withFsPlatform } from "../src/fs_platform.ts";
import { localPathProblem, windowsNameProblem } from "../src/file_names.ts";
import { unsafeLocalKey } from "../src/mirror/keys.ts";
import { encodeSegment } from "../src/cache/layout.ts";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";

const SHORT = ["progra~1", "PROGRA~1", "longer~1.csv", "LONG~123.TXT", "a~1", "ab12c~9.gz"];
const LONG = ["backup~2024.tar.gz", "a~b.txt", "notes~1.json5", "x~0", "~1", "file~.csv", "a.b~1"];

Deno.test("file names (Windows logic): names of 8.3 short-name form are refused, naming the segment", () => {
  for (const name of SHORT) {
    assertStringIncludes(windowsNameProblem(name) ?? "", "8.3 short name", name);
    assertStringIncludes(
      localPathProblem(`data/${name}/x.csv`, true) ?? "",
      `segment ${JSON.stringify(name)} has the form of a Windows 8.3 short name`,
    );
    assert(unsafeLocalKey(`d/${name}`, "windows") !== undefined, name);
    assertEquals(unsafeLocalKey(`d/${name}`, "linux"), undefined, name);
  }
  for (const name of LONG) assertEquals(windowsNameProblem(name), undefined, name);
});

Deno.test("cache layout (Windows logic): a key of short-name form never gets a file name of that form", async () => {
  await withFsPlatform({ windowsNames: true, caseInsensitive: true }, () => {
    for (const name of SHORT) {
      const encoded = encodeSegment(name);
      assertEquals(windowsNameProblem(encoded), undefined, `${name} → ${encoded}`);
    }
    assertEquals(encodeSegment("longer~1.csv"), "longer%7E1.csv");
    // Distinct keys stay distinct: a literal `%7E` is escaped on its own.
    assert(encodeSegment("longer%7E1.csv") !== encodeSegment("longer~1.csv"));
    assertEquals(encodeSegment("backup~2024.tar.gz"), "backup~2024.tar.gz");
  });
  await withFsPlatform({ windowsNames: false, caseInsensitive: false }, () => {
    assertEquals(encodeSegment("longer~1.csv"), "longer~1.csv");
  });
});
