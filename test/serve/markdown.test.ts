/**
 * The dashboard's Markdown renderer (src/serve/dashboard/markdown.mjs) on untrusted report text:
 * nothing in the input becomes markup of its own, links keep only http(s)/mailto, and citations
 * `[n]` link to the numbered sources.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { packageRoot } from '../helpers/temporal';

type Renderer = { renderMarkdown(text: string): string; escapeHtml(text: string): string };
const load = () => import(join(packageRoot, 'src', 'serve', 'dashboard', 'markdown.mjs')) as Promise<Renderer>;

test('HTML, script URLs and attribute breakouts in a report stay text', async () => {
  const { renderMarkdown } = await load();
  const html = renderMarkdown(
    [
      '# Title <img src=x onerror=alert(1)>',
      '',
      'Text <script>alert(1)</script> and <a href="javascript:alert(2)">x</a>.',
      '[click](javascript:alert(3)) [data](data:text/html,<b>) [ok](https://ok.example/a?b=1&c="2")',
      '`<b>code</b>` **bold <i>** _it_',
      '```',
      '</code></pre><script>alert(4)</script>',
      '```',
    ].join('\n'),
  );
  assert.ok(!/<(script|img|i|b)\b/i.test(html), html);
  assert.ok(!/href="(javascript|data):/i.test(html));
  assert.ok(!/on\w+=/.test(html.replace(/&lt;[^&]*&gt;/g, '')), 'no live event handler attribute');
  assert.match(html, /<a href="https:\/\/ok\.example\/a\?b=1&amp;c=&quot;2&quot;"/);
  assert.match(html, /<code>&lt;b&gt;code&lt;\/b&gt;<\/code>/);
  assert.match(html, /<strong>bold &lt;i&gt;<\/strong>/);
  assert.match(html, /<h2>Title &lt;img src=x onerror=alert\(1\)&gt;<\/h2>/);
});

test('citations [n] link to the numbered Sources entries; unknown numbers stay text', async () => {
  const { renderMarkdown } = await load();
  const html = renderMarkdown(
    '## Findings\n\nHeat pumps move heat [1]. Costs vary [2] [9].\n\n## Sources\n\n1. [IEA](https://www.iea.org/heat-pumps)\n2. [DOE](https://energy.gov/hp)\n',
  );
  assert.match(html, /<a class="cite" href="https:\/\/www\.iea\.org\/heat-pumps"[^>]*>\[1\]<\/a>/);
  assert.match(html, /<a class="cite" href="https:\/\/energy\.gov\/hp"[^>]*>\[2\]<\/a>/);
  assert.match(html, / \[9\]\./);
  assert.match(html, /<ol><li><a href="https:\/\/www\.iea\.org\/heat-pumps"[^>]*rel="noopener noreferrer nofollow">IEA<\/a><\/li>/);
});
