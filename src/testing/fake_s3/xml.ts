/**
 * The little XML the fake S3 server needs: escaping for responses and a
 * tolerant parser for the two request bodies S3 clients send
 * (`<Delete>` and `<CompleteMultipartUpload>`).
 *
 * @module
 */
import { decodeXmlEntities } from "../../xml_entities.ts";

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

// Control characters are matched on purpose: they must become references.
// deno-lint-ignore no-control-regex
const NEEDS_ESCAPE = /[&<>"'\u0000-\u0008\u000b-\u001f\u007f]/g;

/**
 * Escapes text for an XML element or attribute. Control characters (and `\r`,
 * which XML parsers would otherwise normalise away) become character
 * references, so hostile keys survive a round trip through a listing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { escapeXml } from "./xml.ts";
 * assert(escapeXml("a&b<c>\r") === "a&amp;b&lt;c&gt;&#xD;");
 * ```
 */
export function escapeXml(text: string): string {
  return text.replace(
    NEEDS_ESCAPE,
    (c) => ESCAPES[c] ?? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`,
  );
}

/** A value an XML builder accepts: text, a number, a boolean, child elements, or nothing. */
export type XmlValue = string | number | boolean | readonly XmlElement[] | undefined;

/** One element for {@linkcode xml}: `[name, value]`; `undefined` values are left out. */
export type XmlElement = readonly [name: string, value: XmlValue];

/**
 * Serialises elements to XML text (no declaration).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { xml } from "./xml.ts";
 * const s = xml([["A", [["B", "x&y"], ["C", 2], ["D", undefined]]]]);
 * assert(s === "<A><B>x&amp;y</B><C>2</C></A>");
 * ```
 */
export function xml(elements: readonly XmlElement[]): string {
  let out = "";
  for (const [name, value] of elements) {
    if (value === undefined) continue;
    if (typeof value === "object") {
      out += value.length === 0 ? `<${name}/>` : `<${name}>${xml(value)}</${name}>`;
    } else {
      out += `<${name}>${escapeXml(String(value))}</${name}>`;
    }
  }
  return out;
}

const S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";

/**
 * A complete S3 XML document: declaration plus a root element in the S3 namespace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { xmlDocument } from "./xml.ts";
 * const doc = xmlDocument("R", [["K", "v"]]);
 * assert(doc.includes('<R xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><K>v</K></R>'));
 * ```
 */
export function xmlDocument(root: string, children: readonly XmlElement[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NS}">${
    xml(children)
  }</${root}>`;
}

/** A parsed XML element: local name (namespace prefix dropped), children and text. */
export interface XmlNode {
  /** Element name without a namespace prefix. */
  name: string;
  /** Child elements in document order. */
  children: XmlNode[];
  /** Concatenated text content directly inside this element, entities decoded. */
  text: string;
}

/**
 * Thrown by {@linkcode parseXml} for text that is not well-formed enough to read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseXml, XmlSyntaxError } from "./xml.ts";
 * try {
 *   parseXml("<a>");
 * } catch (e) {
 *   assert(e instanceof XmlSyntaxError);
 * }
 * ```
 */
export class XmlSyntaxError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "XmlSyntaxError";
  }
}

function decodeEntities(text: string): string {
  return decodeXmlEntities(text, (entity) => {
    throw new XmlSyntaxError(`unknown entity ${entity}`);
  });
}

/**
 * Parses an XML document into its root element. Handles the declaration,
 * comments, CDATA, attributes (ignored) and entities; enough for request
 * bodies, not a validating parser.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseXml } from "./xml.ts";
 * const root = parseXml('<?xml version="1.0"?><Delete><Object><Key>a&amp;b</Key></Object></Delete>');
 * assert(root.name === "Delete" && root.children[0]?.children[0]?.text === "a&b");
 * ```
 */
export function parseXml(source: string): XmlNode {
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let i = 0;
  while (i < source.length) {
    const lt = source.indexOf("<", i);
    const textEnd = lt === -1 ? source.length : lt;
    if (textEnd > i) {
      const text = source.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(text);
      else if (text.trim() !== "") throw new XmlSyntaxError("text outside the root element");
    }
    if (lt === -1) break;
    if (source.startsWith("<?", lt)) {
      i = indexAfter(source, "?>", lt);
    } else if (source.startsWith("<!--", lt)) {
      i = indexAfter(source, "-->", lt);
    } else if (source.startsWith("<![CDATA[", lt)) {
      const end = indexAfter(source, "]]>", lt);
      const top = stack[stack.length - 1];
      if (!top) throw new XmlSyntaxError("CDATA outside the root element");
      top.text += source.slice(lt + 9, end - 3);
      i = end;
    } else if (source.startsWith("<!", lt)) {
      i = indexAfter(source, ">", lt);
    } else if (source.startsWith("</", lt)) {
      const end = indexAfter(source, ">", lt);
      const name = localName(source.slice(lt + 2, end - 1).trim());
      const open = stack.pop();
      if (!open || open.name !== name) {
        throw new XmlSyntaxError(`unexpected closing tag </${name}>`);
      }
      i = end;
    } else {
      const end = indexAfter(source, ">", lt);
      let inner = source.slice(lt + 1, end - 1);
      const selfClosing = inner.endsWith("/");
      if (selfClosing) inner = inner.slice(0, -1);
      const rawName = /^[^\s/>]+/.exec(inner)?.[0];
      if (!rawName) throw new XmlSyntaxError(`malformed tag at offset ${lt}`);
      const node: XmlNode = { name: localName(rawName), children: [], text: "" };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(node);
      else if (root) throw new XmlSyntaxError("more than one root element");
      else root = node;
      if (!selfClosing) stack.push(node);
      i = end;
    }
  }
  if (stack.length > 0) throw new XmlSyntaxError(`unclosed element <${stack.at(-1)?.name}>`);
  if (!root) throw new XmlSyntaxError("no root element");
  return root;
}

function indexAfter(source: string, token: string, from: number): number {
  const at = source.indexOf(token, from);
  if (at === -1) throw new XmlSyntaxError(`unterminated markup at offset ${from}`);
  return at + token.length;
}

function localName(name: string): string {
  const colon = name.indexOf(":");
  return colon === -1 ? name : name.slice(colon + 1);
}

/**
 * The text of the first child element named `name`, or `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { childText, parseXml } from "./xml.ts";
 * assert(childText(parseXml("<a><b>1</b></a>"), "b") === "1");
 * ```
 */
export function childText(node: XmlNode, name: string): string | undefined {
  return node.children.find((c) => c.name === name)?.text;
}
