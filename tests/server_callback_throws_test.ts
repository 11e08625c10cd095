/**
 * The cache service's hooks run while it serves, so one that fails must not
 * stop it: `TokenFileAuth`'s `onReloadError` that threw failed the request
 * (with the bare value thrown) though the last good tokens were there to
 * use, and one whose promise rejected (an `async` hook) ended the process
 * with an unhandled rejection, as did a `log` (of `createHandler` and
 * `serve`) whose promise rejected. Now each is reported once on stderr as a
 * `CallbackError` and the service goes on: the request is served. So is
 * `Entries`' `onExpired` (a metrics hook called as requests look entries
 * up); `Entries.sweep`'s `onProgress`, a call's, stops the sweep with a
 * `CallbackError` as every other call's callback does.
 */
import { CallbackError } from "../src/errors.ts";
import { addToken, TokenFileAuth } from "../src/server/auth.ts";
import { Entries } from "../src/server/entries.ts";
import { createHandler } from "../src/server/handler.ts";
import { FsStore } from "../src/store/fs.ts";
import { ManualClock } from "../src/testing/manual_clock.ts";
import { assert, assertEquals } from "./assert.ts";

/** Runs `fn` with console.error captured. */
async function quiet<T>(fn: () => Promise<T>): Promise<{ value: T; said: string[] }> {
  const said: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => said.push(args.map(String).join(" "));
  try {
    const value = await fn();
    // Lets a rejected promise's handling run before the capture ends.
    await new Promise((r) => setTimeout(r, 0));
    return { value, said };
  } finally {
    console.error = consoleError;
  }
}

for (const how of ["throws", "rejects"] as const) {
  Deno.test(`TokenFileAuth: an onReloadError that ${how} is reported, the last good tokens used`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-server-cb-" });
    try {
      const path = `${dir}/tokens.json`;
      const token = await addToken(path, "alice");
      const boom = new Error(`onReloadError ${how}`);
      let called = 0;
      const auth = new TokenFileAuth({
        path,
        onReloadError: () => {
          called++;
          if (how === "throws") throw boom;
          return Promise.reject(boom) as unknown as void;
        },
      });
      assertEquals((await auth.authenticate(token)).name, "alice");
      // Broken, and of another size than before: read again, found broken.
      await Deno.writeTextFile(path, "{ not json at all, broken by an edit");
      const { value: who, said } = await quiet(() => auth.authenticate(token));
      assertEquals(who.name, "alice");
      assertEquals(called, 1);
      assert(
        said.some((l) => l.includes("onReloadError") && l.includes(boom.message)),
        said.join("\n"),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("createHandler: a log whose promise rejects is reported, the request served", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-server-cb-" });
  try {
    const handler = createHandler({
      store: new FsStore(dir),
      auth: { authenticate: (t) => Promise.resolve({ tokenId: `test:${t}`, name: t }) },
      log: () => Promise.reject(new Error("log rejects")) as unknown as void,
    });
    const { value: status, said } = await quiet(async () => {
      const res = await handler(
        new Request("http://x/v1/cache_id", {
          method: "POST",
          headers: { authorization: "alice", "content-type": "application/json" },
          body: '{"xyz": 123}',
        }),
      );
      await res.body?.cancel();
      return res.status;
    });
    assertEquals(status, 200);
    assert(said.some((l) => l.includes("log rejects")), said.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Entries: an onExpired that throws or rejects is reported, the request served", async () => {
  const dir = await Deno.makeTempDir({ prefix: "vc-server-cb-" });
  try {
    const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
    let calls = 0;
    const entries = new Entries(new FsStore(dir), {
      clock,
      placeholderTtlMs: 1_000,
      onExpired: () => {
        if (calls++ === 0) throw new Error("onExpired throws");
        return Promise.reject(new Error("onExpired rejects")) as unknown as void;
      },
    });
    const id = "a".repeat(32);
    await entries.reserve(id, "alice");
    const { said } = await quiet(async () => {
      for (let i = 0; i < 2; i++) {
        await clock.advance(2_000);
        // The expired placeholder is replaced by a new one, as without the hook.
        assertEquals((await entries.reserve(id, "alice")).owner, "alice");
      }
    });
    assertEquals(calls, 2);
    assert(said.some((l) => l.includes("onExpired throws")), said.join("\n"));
    assert(said.some((l) => l.includes("onExpired rejects")), said.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

for (const how of ["throws", "rejects"] as const) {
  Deno.test(`Entries.sweep: an onProgress that ${how} rejects with a CallbackError`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "vc-server-cb-" });
    try {
      const entries = new Entries(new FsStore(dir));
      await entries.reserve("b".repeat(32), "alice");
      const boom = new Error(`onProgress ${how}`);
      const result = await entries.sweep({
        onProgress: () => {
          if (how === "throws") throw boom;
          return Promise.reject(boom) as unknown as void;
        },
      }).then((ok) => ({ ok }), (error: unknown) => ({ error }));
      assert("error" in result, `resolved: ${JSON.stringify(result)}`);
      assert(result.error instanceof CallbackError, `rejected with ${result.error}`);
      assertEquals(result.error.callback, "onProgress");
      assert(result.error.cause === boom, `cause: ${result.error.cause}`);
      assertEquals((await entries.sweep()).scanned, 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
