/**
 * A `connect_timeout` (or `PGCONNECT_TIMEOUT`) past what a timer holds
 * (2^31 - 1 ms, about 24.8 days: `connect_timeout=99999999`, a common way
 * to write "wait as long as it takes") went to the driver's `setTimeout`,
 * which fires such a delay at once: every connection failed within a
 * millisecond, said to have had "no answer from the server within 99999999
 * s". It is held to the longest a timer waits, as libpq's "that long" is
 * then the same as forever.
 */
import { assertEquals } from "./assert.ts";
import { parsePostgresUrl } from "../src/repo/postgres_url.ts";
import { MAX_TIMER_MS } from "../src/store/retry.ts";

const longest = Math.floor(MAX_TIMER_MS / 1000);

Deno.test("repo: a connect_timeout past a timer's longest delay is held to it, not fired at once", () => {
  const none = () => undefined;
  for (const value of ["99999999", "2147484", "31536000"]) {
    const fromUrl = parsePostgresUrl(`postgres://vc@db/x?connect_timeout=${value}`, none);
    assertEquals(fromUrl.connectTimeoutS, longest, value);
    const fromEnv = parsePostgresUrl(
      "postgres://vc@db/x",
      (n) => n === "PGCONNECT_TIMEOUT" ? value : undefined,
    );
    assertEquals(fromEnv.connectTimeoutS, longest, value);
  }
  // Within a timer's reach, as given (and libpq's 0 and 2 s floor kept).
  const at = (v: string) => parsePostgresUrl(`postgres://vc@db/x?connect_timeout=${v}`, none);
  assertEquals(at(String(longest)).connectTimeoutS, longest);
  assertEquals(at("30").connectTimeoutS, 30);
  assertEquals(at("1").connectTimeoutS, 2);
  assertEquals(at("0").connectTimeoutS, 0);
});
