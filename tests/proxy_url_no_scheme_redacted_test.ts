/**
 * A proxy given without a scheme (`HTTPS_PROXY=user:password@proxy:3128`,
 * as curl and Deno accept it) was shown whole in "cannot reach … through
 * the proxy …": a URL parser reads `user:` as its scheme and the rest as a
 * path, so nothing looked like a password to redactUrl. Its password is now
 * starred, as a `user:password@host` catalog's already was.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { withWorkspace } from "./cli_process.ts";
import { redactUrl } from "../src/redact.ts";
import { redactCatalogText } from "../src/repo/marker.ts";
import { closedPort } from "./closed_port.ts";

const SECRET = "proxy-secret-pass-0123";

Deno.test("redactUrl: user:password@host with no scheme has its password starred", () => {
  assertEquals(redactUrl(`pu:${SECRET}@127.0.0.1:3128`), "pu:***@127.0.0.1:3128");
  assertEquals(redactUrl(`my_user:${SECRET}@proxy:3128`), "my_user:***@proxy:3128");
  assertEquals(redactUrl(`pu:a/${SECRET}@x@proxy:3128`), "pu:***@proxy:3128");
  // Nothing secret: as given.
  assertEquals(redactUrl("proxy.corp:3128"), "proxy.corp:3128");
  assertEquals(redactUrl("pu@proxy:3128"), "pu@proxy:3128");
  // A Windows path with an `@` is a path, shown whole.
  assertEquals(redactUrl("C:/Users/me@corp/x.csv"), "C:/Users/me@corp/x.csv");
  assertEquals(redactUrl("C:\\Users\\me@corp\\x.csv"), "C:\\Users\\me@corp\\x.csv");
  // The catalog's redaction is the same one.
  assertEquals(redactCatalogText(`vc:${SECRET}@db:5432/vc`), "vc:***@db:5432/vc");
});

Deno.test("vc cache get through a scheme-less proxy with a password: not shown, plain, --json, -v", async () => {
  await withWorkspace(async (_dir, vc) => {
    const proxy = `pu:${SECRET}@127.0.0.1:${closedPort()}`;
    for (const extra of [[], ["--json"], ["-v"]]) {
      const r = await vc(["cache", "get", "s3://b/k", ...extra], {
        AWS_ENDPOINT_URL: `http://127.0.0.1:${closedPort()}`,
        AWS_ACCESS_KEY_ID: "AKIATEST",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_REGION: "us-east-1",
        HTTP_PROXY: proxy,
        HTTPS_PROXY: proxy,
        AWS_MAX_ATTEMPTS: "1",
      });
      assertEquals(r.code, 1, r.stderr);
      assertStringIncludes(r.stderr, "through the proxy pu:***@127.0.0.1:");
      assert(!(r.stdout + r.stderr).includes(SECRET), `${extra.join(" ")}:\n${r.stderr}`);
    }
  });
});
