// A tiny XML reader and writer for the Route 53 fake: enough for the SDK's request bodies
// (elements, text, entities; no attributes are needed beyond xmlns, which is ignored).
export interface XmlNode {
  name: string;
  children: XmlNode[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return ENTITIES[body] ?? whole;
  });
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${Object.entries(ENTITIES).find(([, v]) => v === c)?.[0]};`);
}

export function parseXml(text: string): XmlNode {
  const root: XmlNode = { name: '#document', children: [], text: '' };
  const stack: XmlNode[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)[^>]*?(\/?)>|<\?[^>]*\?>|<!--[\s\S]*?-->|([^<]+)/g;
  for (let match = tag.exec(text); match; match = tag.exec(text)) {
    const [, closing, name, selfClosing, body] = match;
    const top = stack[stack.length - 1] as XmlNode;
    if (body !== undefined) top.text += decodeEntities(body);
    else if (name === undefined) continue;
    else if (closing) {
      if (top.name !== name) throw new Error(`malformed XML: </${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const node: XmlNode = { name, children: [], text: '' };
      top.children.push(node);
      if (!selfClosing) stack.push(node);
    }
  }
  if (stack.length !== 1) throw new Error('malformed XML: unclosed elements');
  return root;
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  return node?.children.filter((c) => c.name === name) ?? [];
}

export function textOf(node: XmlNode | undefined, name: string): string | undefined {
  const found = child(node, name);
  return found === undefined ? undefined : found.text.trim();
}

/** <Name>text</Name>, skipped when the value is undefined */
export function element(name: string, value: string | number | undefined | string[]): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return `<${name}>${value.join('')}</${name}>`;
  return `<${name}>${typeof value === 'number' ? value : escapeXml(value)}</${name}>`;
}
