// Server-sent events read from a fetch() response body. EventSource cannot POST, and a chat reply
// is the answer to a POST, so the stream is parsed here: yields {event, data} (data parsed as JSON).
export async function* readEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const blocks = buffer.split(/\r?\n\r?\n/);
      buffer = blocks.pop(); // the last piece may be an event still arriving
      for (const block of blocks) {
        const event = parseEvent(block);
        if (event) yield event;
      }
    }
  } finally {
    reader.cancel().catch(() => {}); // the reader left early (stopped, or an error event): hang up
  }
}

function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon === 0) continue; // a comment, e.g. a keep-alive
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  return { event, data: parseData(data.join("\n")) };
}

function parseData(text) {
  try {
    return JSON.parse(text);
  } catch (error) {
    return text;
  }
}
