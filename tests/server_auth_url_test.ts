/**
 * An --auth-url with user:password makes fetch send Basic credentials in
 * place of the caller's token (the auth service then checks the service,
 * not the caller), and its token_id would give the password to every
 * client; a query or fragment sends the lookup to another URL. All are
 * refused when the provider is made (a usage error of `vc serve`).
 */
import { InvalidInputError } from "../src/errors.ts";
import { KBaseAuth } from "../src/server/auth.ts";
import { assertEquals, assertStringIncludes, assertThrows } from "./assert.ts";
import { startFakeAuth } from "./server_helpers.ts";

Deno.test("kbase auth: an auth URL with credentials, a query or a fragment is refused", async () => {
  await using auth = startFakeAuth({ good: "alice" });
  const host = auth.url.slice("http://".length);
  // The message shows the part at fault (masked): the URL without it would
  // read as one that is fine.
  const cases: [string, string][] = [
    [`http://svc:s3cret@${host}`, `http://svc:***@${host}`],
    [`http://svc@${host}`, `http://svc@${host}`],
    [`${auth.url}/auth?x=1`, `${auth.url}/auth?x=***`],
    [`${auth.url}/auth#top`, `${auth.url}/auth#***`],
  ];
  for (const [url, shown] of cases) {
    const e = assertThrows(() => new KBaseAuth({ authUrl: url }), InvalidInputError);
    assertStringIncludes(e.message, "must not carry credentials, a query or a fragment");
    assertStringIncludes(e.message, JSON.stringify(shown));
    assertEquals(e.message.includes("s3cret"), false, "the password stays out of the message");
  }
  // Nor is a password shown for a URL refused as no http(s) URL.
  const e = assertThrows(
    () => new KBaseAuth({ authUrl: "ftp://svc:s3cret@h/x" }),
    InvalidInputError,
  );
  assertStringIncludes(e.message, `"ftp://svc:***@h/x" is not an http(s) URL`);
  // A plain URL, trailing slash and all, still works; its token_id is the URL
  // as configured, as the KBase server's, so a deployment moved to vc keeps
  // its cache IDs (whitespace at an end is no part of it).
  const slash = await new KBaseAuth({ authUrl: ` ${auth.url}/ ` }).authenticate("good");
  assertEquals(slash.name, "alice");
  assertEquals(slash.tokenId, `${auth.url}/:alice`);
  const plain = await new KBaseAuth({ authUrl: auth.url }).authenticate("good");
  assertEquals(plain.tokenId, `${auth.url}:alice`);
});
