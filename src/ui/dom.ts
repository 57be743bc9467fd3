/**
 * The one way this UI builds the page: elements with text children. Every value the API
 * returns was written by a client, so it only ever becomes a text node (never HTML).
 */
export type Child = Node | string | number | null | undefined | false;

export function el(
  tag: string,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'number' ? String(child) : child);
  }
  return node;
}

/** A link inside the UI; the route is built from validated ids or encoded values only. */
export const link = (route: string, text: string): HTMLElement =>
  el('a', { href: `#${route}` }, text);

export function table(headers: string[], rows: Child[][], className = ''): HTMLElement {
  return el(
    'table',
    className ? { class: className } : {},
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c) => el('td', {}, c))))),
  );
}

export const badge = (text: string, kind = text): HTMLElement =>
  el('span', { class: `badge ${kind}` }, text);

export const when = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : '–');
