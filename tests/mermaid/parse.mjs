// Reads Mermaid text on stdin and parses it with Mermaid's own parser.
// Prints the detected diagram type and exits 0, or prints the parse error and exits 1.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!DOCTYPE html><body></body>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
for (const name of ["Element", "HTMLElement", "Node", "DOMParser"]) {
  if (!(name in globalThis)) globalThis[name] = dom.window[name];
}

const { default: mermaid } = await import("mermaid");
// maxEdges: the whole graph has more edges than Mermaid's default limit (500), which only
// the page embedding Mermaid can raise (a diagram cannot); README "Pictures" says so.
mermaid.initialize({ startOnLoad: false, securityLevel: "strict", maxEdges: 5000 });

let text = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) text += chunk;

try {
  const result = await mermaid.parse(text);
  console.log(result.diagramType);
} catch (error) {
  console.error(String(error?.message ?? error));
  process.exit(1);
}
