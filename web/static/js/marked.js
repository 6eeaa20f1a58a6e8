// Search snippets arrive as HTML the server escaped, with the query's words in <mark>. They are
// parsed in an inert <template> (nothing in it runs or loads) and copied back as text, keeping
// only <mark>: even a bug on the server could not turn a snippet into markup of its own.
export function markedText(html) {
  const parsed = document.createElement("template");
  parsed.innerHTML = String(html ?? "");
  const out = document.createDocumentFragment();
  for (const node of parsed.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.append(mark);
    } else {
      out.append(node.textContent);
    }
  }
  return out;
}
