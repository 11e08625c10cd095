// Request URLs built from a parsed base (src/store/request_url.ts) have the
// parts `new URL` gives the same text, for every kind of key: what is
// signed and sent does not change with the shortcut.
import { assertEquals } from "./assert.ts";
import { UrlBase } from "../src/store/request_url.ts";
import { uriEncode } from "../src/store/sigv4.ts";

const BASES = [
  "http://127.0.0.1:9000/bucket",
  "https://bucket.s3.us-east-1.amazonaws.com",
  "HTTP://MinIO.local:80/prefix/my%20bucket",
  "http://[::1]:9000/b",
  "http://127.0.0.1:9000/with/trailing/slash/",
];
const KEYS = [
  "a.txt",
  "dir/sub/file.bin",
  "with space/ünïcödé/日本.txt",
  "percent%2e%2E/plus+and=equals&amp",
  "//double//slashes//",
  "./dot/./segments/.",
  "../up/../../twice/..",
  "..hidden/.config/a..b/...",
  "trailing/",
  "~tilde_-.",
];
const SEARCHES = ["", "?uploads=", "?partNumber=2&uploadId=x%2By"];

Deno.test("request URLs: the same parts as new URL for every base, key and query", () => {
  for (const base of BASES) {
    const urls = new UrlBase(base);
    for (const key of KEYS) {
      for (const search of SEARCHES) {
        const encoded = uriEncode(key, true);
        const got = urls.at(encoded, search);
        const want = new URL(`${base}/${encoded}${search}`);
        const parts = (u: typeof got) => ({
          protocol: u.protocol,
          host: u.host,
          hostname: u.hostname,
          port: u.port,
          pathname: u.pathname,
          search: u.search,
          href: u.href,
        });
        assertEquals(parts(got), parts(want), `${base} + ${key} + ${search}`);
      }
    }
  }
});
