/**
 * The error `JSON.parse` throws for a text, for tests of the messages vc
 * makes of it (`jsonSyntaxMessage`).
 */

/** What `JSON.parse(text)` throws; throws itself if the text parses. */
export function parseError(text: string): unknown {
  try {
    JSON.parse(text);
  } catch (e) {
    return e;
  }
  throw new Error("parsed");
}
