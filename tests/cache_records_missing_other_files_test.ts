/**
 * The "holds copies without their records" warning is for vc's own data
 * (`s3/`, `s3@<endpoint>/`, `file/`) left without `.meta`. A cache dir that
 * holds only `vc mirror`'s state (`mirror/<hash>.sqlite`), or that is shared
 * with other tools (`VC_CACHE_DIR=~/.cache`: `pip/http/…`), holds no copy,
 * and telling its user to keep `.meta` with their CI cache is wrong.
 */
import { assertEquals, assertStringIncludes } from "./assert.ts";
import { join } from "node:path";
import { recordsMissingWarning } from "../src/cache/records_missing.ts";

Deno.test("records missing: mirror state and other tools' files are no copies", () => {
  const dir = Deno.makeTempDirSync({ prefix: "records_missing_other_files_" });
  try {
    Deno.mkdirSync(join(dir, "mirror"), { recursive: true });
    Deno.writeTextFileSync(join(dir, "mirror", "0123abcd.sqlite"), "state");
    assertEquals(recordsMissingWarning(dir), undefined);
    Deno.mkdirSync(join(dir, "pip", "http"), { recursive: true });
    Deno.writeTextFileSync(join(dir, "pip", "http", "x"), "pip's");
    assertEquals(recordsMissingWarning(dir), undefined);
    // vc's own data without its records is still warned of.
    Deno.mkdirSync(join(dir, "file", "tmp"), { recursive: true });
    Deno.writeTextFileSync(join(dir, "file", "tmp", "a.bin"), "a");
    assertStringIncludes(recordsMissingWarning(dir) ?? "", "holds copies without their records");
    assertStringIncludes(recordsMissingWarning(dir) ?? "", join(dir, ".meta"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
