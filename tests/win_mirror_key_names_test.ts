// `vc mirror` from a store to a Windows directory: a key whose segment is no
// Windows file name must be refused like `..`, not written somewhere else
// (`a.csv:x` is an alternate data stream of `a.csv`, `nul.csv` the null
// device, `a.` the file `a`). Run on Linux with `os: "windows"`: this proves
// the check, not Windows' own name rules.
import { assert, assertEquals } from "./assert.ts";
import { unsafeLocalKey } from "../src/mirror/keys.ts";

Deno.test("mirror key names (Windows logic): names Windows cannot hold are refused", () => {
  for (
    const key of [
      "d/a.csv:evil",
      "C:/x.csv",
      "d/a<b",
      "d/a>b",
      'd/a"b',
      "d/a|b",
      "d/a?b",
      "d/a*b",
      "d/a\x01b",
      "d/trailing.",
      "d/trailing ",
      "con",
      "d/NUL.csv",
      "d/com1.txt",
      "lpt9",
      "aux /x",
      "d/CONIN$",
      "d/conout$.log",
      "d/COM¹",
    ]
  ) {
    assert(unsafeLocalKey(key, "windows") !== undefined, `${JSON.stringify(key)} must be refused`);
  }
});

Deno.test("mirror key names (Windows logic): ordinary names pass", () => {
  for (
    const key of [
      "d/a.csv",
      "console/x",
      "d/nul_x.txt",
      "d/com10",
      "d/.hidden",
      "d/a b.csv",
      "d/été.csv",
      "con-figs/x",
    ]
  ) {
    assertEquals(unsafeLocalKey(key, "windows"), undefined, key);
  }
});

Deno.test("mirror key names (POSIX): such names stay legal off Windows", () => {
  for (const key of ["d/a.csv:x", "con", "d/trailing.", "d/a?b"]) {
    assertEquals(unsafeLocalKey(key, "linux"), undefined, key);
  }
});
