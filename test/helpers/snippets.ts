/**
 * The TypeScript snippets of the README and docs/, exactly as printed, for the fresh-project test
 * (test/service/package.test.ts). A snippet is a ```ts fence. HTML comments right before the fence,
 * which readers do not see, may say how to compile it:
 *
 *   <!-- snippet prelude:
 *   import type { JobsClient } from 'gemini-jobs';
 *   declare const jobs: JobsClient;
 *   -->                                  code put before the snippet (a fragment's free names)
 *   <!-- snippet: skip (why) -->          not compiled (say why)
 *   <!-- snippet: service (…) -->         the README's service code, also run against a dev stack
 *
 * A `<!-- snippet` comment not followed by a ts fence is an error, so markers cannot drift away.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Snippet {
  /** Where it is printed: `README.md:250` (the line of the fence). */
  where: string;
  /** The code exactly as printed. */
  code: string;
  /** Code put before it (from a prelude marker); '' when none. */
  prelude: string;
  role: 'compile' | 'skip' | 'service';
}

/** The ts snippets of one markdown file (`source` names it in `where`). */
export function tsSnippets(markdown: string, source: string): Snippet[] {
  const lines = markdown.split('\n');
  const out: Snippet[] = [];
  let prelude = '';
  let role: Snippet['role'] = 'compile';
  let markerLine: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('<!-- snippet')) {
      let comment = line;
      while (!comment.includes('-->') && i + 1 < lines.length) comment += '\n' + lines[++i];
      const body = comment.slice(comment.indexOf('<!-- snippet') + '<!-- snippet'.length, comment.lastIndexOf('-->'));
      if (body.startsWith(' prelude:')) prelude = body.slice(' prelude:'.length).trim() + '\n';
      else if (/^: *skip\b/.test(body)) role = 'skip';
      else if (/^: *service\b/.test(body)) role = 'service';
      else throw new Error(`${source}:${i + 1}: unknown snippet marker ${JSON.stringify(comment)}`);
      markerLine ??= i + 1;
      continue;
    }
    if (line === '```ts') {
      const start = i + 1;
      const code: string[] = [];
      while (++i < lines.length && lines[i] !== '```') code.push(lines[i]!);
      out.push({ where: `${source}:${start}`, code: code.join('\n') + '\n', prelude, role });
      prelude = '';
      role = 'compile';
      markerLine = undefined;
    } else if (markerLine !== undefined && line.trim() !== '') {
      throw new Error(`${source}:${markerLine}: a snippet marker must come right before a \`\`\`ts fence`);
    }
  }
  if (markerLine !== undefined) throw new Error(`${source}:${markerLine}: a snippet marker must come right before a \`\`\`ts fence`);
  return out;
}

/** The ts snippets of README.md and every docs/*.md of the package at `root`. */
export function packageSnippets(root: string): Snippet[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs].flatMap((file) => tsSnippets(readFileSync(join(root, file), 'utf8'), file));
}
