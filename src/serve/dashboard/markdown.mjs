// A small Markdown renderer for untrusted report text. Every character of the input is
// HTML-escaped first; only the constructs below are then turned into tags, and links keep only
// http(s) and mailto URLs. Citations `[n]` link to the n-th entry of a numbered "Sources" list.
// No dependency: the dashboard has no build step.

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The URL if it is http(s) or mailto (given escaped), else undefined. */
function safeUrl(escapedUrl) {
  return /^(https?:\/\/|mailto:)[^\s]*$/i.test(escapedUrl) ? escapedUrl : undefined;
}

/** Source URLs by number, from lines such as `1. [Title](https://…)` or `[1] https://…`. */
export function citationTargets(text) {
  const targets = new Map();
  for (const line of String(text).split('\n')) {
    const m = /^\s*(\d{1,4})[.)]\s+\[[^\]]*\]\(([^)\s]+)\)/.exec(line) ?? /^\s*\[(\d{1,4})\]:?\s+(\S+)/.exec(line);
    if (m && /^https?:\/\//i.test(m[2])) targets.set(m[1], m[2]);
  }
  return targets;
}

function link(href, label) {
  return `<a href="${href}" target="_blank" rel="noopener noreferrer nofollow">${label}</a>`;
}

/** Inline constructs on already escaped text: code, links, citations, bold, italic. */
function inline(escaped, citations) {
  const code = [];
  let s = escaped.replace(/`([^`]+)`/g, (_, c) => `\u0000${code.push(c) - 1}\u0000`);
  const links = [];
  const keep = (html) => `\u0001${links.push(html) - 1}\u0001`;
  s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (all, label, url) => {
    const href = safeUrl(url);
    return href ? keep(link(href, label)) : label;
  });
  s = s.replace(/\[(\d{1,4})\]/g, (all, n) => {
    const target = citations.get(n);
    return target ? keep(link(escapeHtml(target), `[${n}]`).replace('<a ', '<a class="cite" ')) : all;
  });
  s = s.replace(/(^|[\s(])(https?:\/\/[^\s<)]+)/g, (all, pre, url) => pre + keep(link(url, url)));
  s = s.replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>').replace(/__([^_]+)__/g, '<strong>$1</strong>');
  s = s.replace(/(^|[^*\w])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>').replace(/(^|[^_\w])_([^_\s][^_]*)_(?!\w)/g, '$1<em>$2</em>');
  s = s.replace(/\u0001(\d+)\u0001/g, (_, i) => links[Number(i)]);
  return s.replace(/\u0000(\d+)\u0000/g, (_, i) => `<code>${code[Number(i)]}</code>`);
}

/** Renders Markdown to HTML in which nothing from the input can become markup of its own. */
export function renderMarkdown(text) {
  const source = String(text ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000\u0001]/g, '');
  const citations = citationTargets(source);
  const lines = source.split('\n');
  const out = [];
  let paragraph = [];
  let list = null; // { tag, items }
  const flushParagraph = () => {
    if (paragraph.length) out.push(`<p>${inline(escapeHtml(paragraph.join(' ')), citations)}</p>`);
    paragraph = [];
  };
  const flushList = () => {
    if (list) out.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(escapeHtml(i), citations)}</li>`).join('')}</${list.tag}>`);
    list = null;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      flushParagraph();
      flushList();
      const body = [];
      while (++i < lines.length && !lines[i].trimStart().startsWith(fence[1])) body.push(lines[i]);
      out.push(`<pre><code>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    if (/^\s*$/.test(line)) {
      flushParagraph();
      flushList();
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flushParagraph();
      flushList();
      const level = Math.min(6, heading[1].length + 1); // the page has its own h1
      out.push(`<h${level}>${inline(escapeHtml(heading[2]), citations)}</h${level}>`);
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flushParagraph();
      flushList();
      out.push('<hr>');
      continue;
    }
    const quote = /^\s*>\s?(.*)$/.exec(line);
    if (quote) {
      flushParagraph();
      flushList();
      out.push(`<blockquote>${inline(escapeHtml(quote[1]), citations)}</blockquote>`);
      continue;
    }
    const item = /^\s*(?:([-*+])|(\d{1,4})[.)])\s+(.*)$/.exec(line);
    if (item) {
      flushParagraph();
      const tag = item[1] ? 'ul' : 'ol';
      if (list && list.tag !== tag) flushList();
      list ??= { tag, items: [] };
      list.items.push(item[3]);
      continue;
    }
    if (list && /^\s{2,}\S/.test(line)) {
      list.items[list.items.length - 1] += ' ' + line.trim();
      continue;
    }
    flushList();
    paragraph.push(line.trim());
  }
  flushParagraph();
  flushList();
  return out.join('\n');
}
