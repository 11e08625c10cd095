/**
 * The retry lines a run prints depend on how long it took (one per 10 s):
 * tests that counted them, or took the line after the first for the count
 * of those not shown, failed on a machine slow enough to print a second.
 * `retryLineAccount` reads any such stderr to the retries it accounts for.
 */
import { assertEquals, assertThrows } from "./assert.ts";
import { retryLineAccount } from "./retry_line_account.ts";

const TRY = (n: number, since = "") =>
  `vc: warning: PUT x: cut; trying again (${n}/5) in 1.2 s${since}`;

Deno.test("retry lines: a fast run and a slow one account for the same 4 retries", () => {
  const fast = [TRY(2), "vc: warning: ... and 3 more retries not shown (4 in all)", "vc: failed"];
  const slow = [
    TRY(2),
    TRY(4, " (1 more retry since the last such line)"),
    "vc: warning: ... and 1 more retry not shown (4 in all)",
    "vc: failed",
  ];
  const slowest = [TRY(2), TRY(3), TRY(4), TRY(5), "vc: failed"];
  for (const lines of [fast, slow, slowest]) {
    const said = retryLineAccount(lines.join("\n") + "\n");
    assertEquals([said.retries, said.others], [4, ["vc: failed"]], lines.join("\n"));
  }
});

Deno.test("retry lines: a count line that does not add up, or a second one, is refused", () => {
  assertThrows(() =>
    retryLineAccount(`${TRY(2)}\nvc: warning: ... and 3 more retries not shown (5 in all)`)
  );
  assertThrows(() =>
    retryLineAccount(
      `${
        TRY(2)
      }\n... and 1 more retry not shown (2 in all)\n... and 1 more retry not shown (3 in all)`,
    )
  );
});

Deno.test("retry lines: more lines than the run's time allows are refused", () => {
  assertThrows(() => retryLineAccount(`${TRY(2)}\n${TRY(3)}`, Date.now()));
});
