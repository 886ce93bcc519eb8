// RFC 6376 3.2 tag=value lists (DKIM key records; DMARC records use the same shape, RFC 7489 6.4).
export type TagList = { ok: true; tags: Map<string, string>; order: string[] } | { ok: false; message: string };

export function parseTagList(text: string): TagList {
  const tags = new Map<string, string>();
  const order: string[] = [];
  const specs = text.split(';');
  // a trailing ";" is allowed: the last spec may be empty (or only whitespace)
  if (specs.length > 1 && (specs[specs.length - 1] as string).trim() === '') specs.pop();
  for (const spec of specs) {
    const match = /^[ \t\r\n]*([A-Za-z][A-Za-z0-9_]*)[ \t\r\n]*=[ \t\r\n]*(.*?)[ \t\r\n]*$/s.exec(spec);
    if (!match) return { ok: false, message: `"${spec.trim()}" is not a tag=value pair` };
    const name = match[1] as string;
    const value = match[2] as string;
    if (/[^\x21-\x3a\x3c-\x7e \t\r\n]/.test(value)) return { ok: false, message: `tag ${name}: a character not allowed in a tag value` };
    if (tags.has(name)) return { ok: false, message: `tag ${name} appears twice (the whole record is invalid, RFC 6376 3.2)` };
    tags.set(name, value);
    order.push(name);
  }
  return { ok: true, tags, order };
}

export function listValues(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(':').map((item) => item.trim().toLowerCase()).filter((item) => item !== '');
}
