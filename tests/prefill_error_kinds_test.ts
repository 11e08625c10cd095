/**
 * `errorName` in prefill's --json failures named the error's class as it
 * happened to be thrown: `VcError` for a cache dir that cannot be written,
 * `PermissionDenied` (Deno's) for records that cannot be read, both the
 * same permission problem. It is now one of the documented kinds
 * (`errorKind`), so a CI script can tell them apart reliably.
 */
import { join } from "node:path";
import { assertEquals } from "./assert.ts";
import { recordPathsOf } from "../src/cache/layout.ts";
import {
  ERROR_KINDS,
  errorKind,
  IntegrityError,
  IsDirectoryError,
  KeyConflictError,
  OfflineError,
  StoreError,
  VcError,
} from "../src/errors.ts";
import { asNobody, cachedByRoot, canRunAsNobody } from "./as_nobody.ts";

Deno.test("errorKind: one of ERROR_KINDS, a permission problem wherever it is said", () => {
  const denied = new Deno.errors.PermissionDenied("Permission denied (os error 13)");
  const cases: Array<[unknown, string]> = [
    [new VcError("cannot write to the cache dir /c", { cause: denied }), "AccessDeniedError"],
    [new Deno.errors.PermissionDenied("cannot read the records in /c/j"), "AccessDeniedError"],
    [new Deno.errors.NotCapable("Requires write access"), "AccessDeniedError"],
    [
      new VcError("x", { cause: new Error("Read-only file system (os error 30)") }),
      "AccessDeniedError",
    ],
    [new IsDirectoryError("d is a directory"), "NotFoundError"],
    [new KeyConflictError("a is an object"), "InvalidInputError"],
    [new IntegrityError("md5"), "IntegrityError"],
    [new OfflineError("down"), "OfflineError"],
    [new StoreError("500", { status: 500 }), "StoreError"],
    [new VcError("cannot download", { cause: new OfflineError("down") }), "OfflineError"],
    [new VcError("no space left on the device"), "VcError"],
    [new TypeError("x is undefined"), "VcError"],
    ["a string", "VcError"],
  ];
  for (const [error, kind] of cases) {
    assertEquals(errorKind(error), kind, String(error));
    assertEquals((ERROR_KINDS as readonly string[]).includes(kind), true);
  }
});

Deno.test({
  name: "prefill --json: an unwritable cache dir and unreadable records are both " +
    "AccessDeniedError (ignored unless root: runs vc as nobody)",
  ignore: !canRunAsNobody,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "vc-prefill-kinds-" });
    try {
      const { cacheDir, uri, path } = await cachedByRoot(dir);
      await Deno.writeTextFile(join(dir, "list.txt"), `${uri}\n`);
      await Deno.mkdir(join(dir, "ro"));
      await new Deno.Command("chmod", { args: ["-R", "a+rX", dir] }).output();
      await Deno.chmod(recordPathsOf(cacheDir, path).journalPath, 0o600);
      const names = async (cacheDir: string) => {
        const out = await asNobody(dir, {
          vc: ["prefill", "--json", "--list", join(dir, "list.txt"), "--cache-dir", cacheDir],
        });
        assertEquals(out.code, 1, out.stderr);
        const doc = JSON.parse(out.stdout) as { failed: { errorName: string }[] };
        return doc.failed.map((f) => f.errorName);
      };
      assertEquals(await names(join(dir, "ro", "cache")), ["AccessDeniedError"]);
      assertEquals(await names(cacheDir), ["AccessDeniedError"]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
