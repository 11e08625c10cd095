// The fast SigV4 signer (cached HMAC states, values used as they are unless
// their whitespace needs canonicalising, one scratch buffer) against a plain
// reference signer written from the specification with node:crypto.
import { createHash, createHmac } from "node:crypto";
import { assertEquals } from "./assert.ts";
import { canonicalQuery, EMPTY_SHA256, SigV4Signer, UNSIGNED_PAYLOAD } from "../src/store/sigv4.ts";
import { hmacKey, hmacSha256Hex } from "../src/sha256_js.ts";

interface Case {
  method: string;
  url: string;
  headers: Record<string, string>;
  payloadHash: string;
  sessionToken?: string;
}

/** SigV4 as the AWS documentation spells it out, nothing cached. */
function referenceAuthorization(
  c: Case,
  creds: { accessKeyId: string; secretAccessKey: string },
  now: Date,
): string {
  const url = new URL(c.url);
  const amzDate = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.headers)) all[k.toLowerCase()] = v;
  all["host"] = url.host;
  all["x-amz-date"] = amzDate;
  all["x-amz-content-sha256"] = c.payloadHash;
  if (c.sessionToken) all["x-amz-security-token"] = c.sessionToken;
  const names = Object.keys(all).sort();
  const canonicalHeaders = names.map((n) => `${n}:${all[n]!.trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const signed = names.join(";");
  const canonical = [
    c.method,
    url.pathname,
    canonicalQuery(url.search),
    canonicalHeaders,
    signed,
    c.payloadHash,
  ].join("\n");
  const scope = `${day}/us-west-2/s3/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${
    createHash("sha256").update(canonical).digest("hex")
  }`;
  const mac = (key: string | Buffer, data: string) =>
    createHmac("sha256", key).update(data).digest();
  const kSigning = mac(
    mac(mac(mac(`AWS4${creds.secretAccessKey}`, day), "us-west-2"), "s3"),
    "aws4_request",
  );
  const sig = createHmac("sha256", kSigning).update(toSign).digest("hex");
  return `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${sig}`;
}

const CASES: Case[] = [
  {
    method: "GET",
    url: "http://127.0.0.1:9000/b/small/000001",
    headers: {},
    payloadHash: EMPTY_SHA256,
  },
  {
    method: "GET",
    url: "https://b.s3.us-west-2.amazonaws.com/a%20b/%C3%BC~x",
    headers: { Range: "bytes=0-9", "If-Match": '"abc"' },
    payloadHash: EMPTY_SHA256,
    sessionToken: "token/with+chars=",
  },
  {
    method: "HEAD",
    url: "http://localhost:1234/b/k?partNumber=2",
    headers: { "x-amz-meta-Note": "  padded   value\twith tab  " },
    payloadHash: UNSIGNED_PAYLOAD,
  },
  {
    method: "GET",
    url: "http://127.0.0.1:9000/b?list-type=2&prefix=a%2Fb&max-keys=10",
    headers: { "x-amz-meta-u": "é ü" },
    payloadHash: EMPTY_SHA256,
  },
  {
    method: "PUT",
    url: "http://[::1]:9000/b/k",
    headers: {
      "content-type": "text/plain",
      "x-amz-meta-b": "two  spaces",
      "x-amz-meta-a": "x",
      "if-none-match": "*",
    },
    payloadHash: createHash("sha256").update("body").digest("hex"),
  },
];

Deno.test("sget sign: every case equals the reference signer, twice (cached key and date), both hash paths", () => {
  const signer = new SigV4Signer({ region: "us-west-2" });
  const creds = {
    accessKeyId: "AKIDEXAMPLE",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  };
  // The hashed-payload case is last: it switches the signer to node:crypto,
  // so every other case is checked on the plain-TypeScript hashes.
  for (const c of CASES) {
    for (
      const when of ["2026-11-30T15:50:01Z", "2026-11-30T15:50:01.500Z", "2026-12-01T00:00:00Z"]
    ) {
      const now = new Date(when);
      const credentials = c.sessionToken ? { ...creds, sessionToken: c.sessionToken } : creds;
      for (let i = 0; i < 2; i++) {
        const out = signer.sign(
          { method: c.method, url: new URL(c.url), headers: c.headers, payloadHash: c.payloadHash },
          credentials,
          now,
        );
        assertEquals(
          out["authorization"],
          referenceAuthorization(c, creds, now),
          `${c.method} ${c.url}`,
        );
        if (c.sessionToken) assertEquals(out["x-amz-security-token"], c.sessionToken);
      }
    }
  }
});

Deno.test("sget sign: hex HMAC of strings equals node:crypto (ASCII, non-ASCII, around block sizes)", () => {
  const key = new TextEncoder().encode("a signing key of 32 bytes.......");
  const prepared = hmacKey(key);
  for (let n = 0; n <= 200; n++) {
    for (const unit of ["a", "é", "😀"]) {
      const text = unit.repeat(n);
      assertEquals(
        hmacSha256Hex(prepared, text),
        createHmac("sha256", key).update(text).digest("hex"),
        `${n} × ${unit}`,
      );
    }
  }
});
