/**
 * Deterministic prose: model replies, Deep Research plans and markdown reports. All of it is a
 * pure function of an Rng (seeded from the request), so the same request yields the same text.
 */
import { pick, randInt, type Rng } from './rng';

const SUBJECTS = [
  'the evidence',
  'a recent study',
  'an independent benchmark',
  'the industry literature',
  'field data',
  'the primary source material',
  'a published survey',
  'the regulatory record',
  'expert testimony',
  'the case study',
];
const VERBS = ['suggests', 'indicates', 'confirms', 'qualifies', 'challenges', 'supports', 'refines', 'highlights'];
const OBJECTS = [
  'a steady improvement in outcomes',
  'a trade-off between cost and reliability',
  'significant regional variation',
  'a gap between stated goals and measured results',
  'a strong dependence on early design choices',
  'diminishing returns beyond a threshold',
  'broad agreement on the core mechanism',
  'open questions about long-term effects',
  'a shift in how practitioners measure success',
  'clear benefits when adoption is gradual',
];
const CONNECTORS = ['Moreover,', 'However,', 'In practice,', 'By contrast,', 'Notably,', 'Overall,', 'In short,'];
const DOMAINS = [
  'example.org',
  'research.example.com',
  'journal.example.net',
  'stats.example.gov',
  'news.example.com',
  'university.example.edu',
  'archive.example.org',
  'data.example.io',
];
const PLAN_STEPS = [
  'Define the scope and the key terms of {t}',
  'Survey authoritative sources and recent publications on {t}',
  'Collect quantitative data and benchmarks related to {t}',
  'Compare competing viewpoints and identify points of disagreement about {t}',
  'Assess risks, limitations and open questions around {t}',
  'Summarize practical implications and recommendations for {t}',
  'Trace the history and main milestones of {t}',
];

export function sentence(rng: Rng): string {
  const s = `${pick(rng, SUBJECTS)} ${pick(rng, VERBS)} ${pick(rng, OBJECTS)}`;
  return s[0]!.toUpperCase() + s.slice(1) + '.';
}

export function paragraph(rng: Rng, sentences: number): string {
  const parts: string[] = [];
  for (let i = 0; i < sentences; i++) {
    const s = sentence(rng);
    parts.push(i > 0 && rng() < 0.35 ? `${pick(rng, CONNECTORS)} ${s[0]!.toLowerCase()}${s.slice(1)}` : s);
  }
  return parts.join(' ');
}

/** A short, single-line excerpt of user text for quoting in replies and titles. */
export function excerpt(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function topicOf(text: string): string {
  return excerpt(text, 60).replace(/[?.!]+$/, '') || 'the requested topic';
}

export interface Source {
  url: string;
  title: string;
}

export function sources(rng: Rng, topic: string, count: number): Source[] {
  const slug =
    topic
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 40) || 'topic';
  const out: Source[] = [];
  for (let i = 0; i < count; i++) {
    const domain = pick(rng, DOMAINS);
    out.push({ url: `https://${domain}/${slug}/${i + 1}-${randInt(rng, 100, 999)}`, title: `${topic}: source ${i + 1} (${domain})` });
  }
  return out;
}

/** A numbered research plan (markdown) for collaborative planning. */
export function researchPlan(rng: Rng, topic: string, refinement?: string): string {
  const n = randInt(rng, 4, 6);
  const steps = [...PLAN_STEPS];
  const chosen: string[] = [];
  for (let i = 0; i < n; i++) chosen.push(steps.splice(Math.floor(rng() * steps.length), 1)[0]!.replace('{t}', topic));
  // A refinement turn folds the user's instructions into the plan as its own step.
  if (refinement) chosen.splice(1, 0, `Address the requested change: ${excerpt(refinement.replace(/\s+/g, ' '), 100)}`);
  return [
    refinement ? `Here is my revised research plan for "${topic}":` : `Here is my proposed research plan for "${topic}":`,
    '',
    ...chosen.map((s, i) => `${i + 1}. ${s}.`),
    '',
    'Confirm this plan to start the research, or tell me what to change.',
  ].join('\n');
}

/** Section headings taken from a plan text (its numbered lines), or generic ones. */
export function planSections(plan: string | undefined, rng: Rng, topic: string): string[] {
  const lines = (plan ?? '')
    .split('\n')
    .map((l) => l.match(/^\s*(?:\d+[.)]|[-*])\s+(.+?)\.?\s*$/)?.[1])
    .filter((l): l is string => !!l);
  if (lines.length > 0) return lines;
  const n = randInt(rng, 3, 5);
  const steps = [...PLAN_STEPS];
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(steps.splice(Math.floor(rng() * steps.length), 1)[0]!.replace('{t}', topic));
  return out;
}

/** A markdown research report of at least `targetBytes` UTF-8 bytes (ASCII only, so chars = bytes). */
export function researchReport(rng: Rng, topic: string, sections: string[], refs: Source[], targetBytes: number): string {
  const parts: string[] = [`# ${topic}: research report`, '', '## Executive summary', '', paragraph(rng, 4), ''];
  let size = parts.join('\n').length;
  const refsText = ['## Sources', '', ...refs.map((s, i) => `${i + 1}. [${s.title}](${s.url})`), ''].join('\n');
  const budget = Math.max(0, targetBytes - refsText.length);
  let cite = 0;
  let round = 0;
  // Cycle through the sections until the size budget is used; the first pass always runs.
  while (round === 0 || size < budget) {
    for (const heading of sections) {
      const h = round === 0 ? heading : `${heading} (continued, part ${round + 1})`;
      const para = `${paragraph(rng, randInt(rng, 3, 6))} [${(cite++ % Math.max(1, refs.length)) + 1}]`;
      const block = `## ${h}\n\n${para}\n`;
      parts.push(block);
      size += block.length + 1;
      if (round > 0 && size >= budget) break;
    }
    round++;
  }
  parts.push(refsText);
  return parts.join('\n');
}

/** Splits text into chunks of about `size` characters (never empty chunks). */
export function chunk(text: string, size: number): string[] {
  const n = Math.max(1, Math.floor(size));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += n) out.push(text.slice(i, i + n));
  return out.length > 0 ? out : [''];
}
