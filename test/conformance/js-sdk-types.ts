/**
 * Judges JSON against @google/genai's own declared types with the TypeScript compiler: every
 * object becomes a fresh object literal assigned to the SDK type it claims to be, so excess
 * property checks catch a wrong or extra field name that an open type would let pass, and the
 * discriminated unions pick the variant by its `type` / `event_type`. The same program reads the
 * SDK's variant lists (steps, deltas, tools, events, statuses, models…) out of its declarations,
 * so no list here is written by hand.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { packageRoot } from '../helpers/temporal';

export interface Judged {
  /** A label to find the object again (operation, session, index). */
  label: string;
  /** A TypeScript type expression over the `Interactions` / `Webhooks` namespaces and the aliases below. */
  type: string;
  value: unknown;
}

export interface Verdict {
  label: string;
  type: string;
  message: string;
}

export type SdkLists = Record<'steps' | 'deltas' | 'tools' | 'events' | 'statuses' | 'contents' | 'annotations' | 'models' | 'agents' | 'webhookEvents', string[]>;

const LISTS: Record<keyof SdkLists, string> = {
  steps: "Interactions.Step['type']",
  deltas: "Interactions.StepDelta['delta']['type']",
  tools: "Interactions.Tool['type']",
  events: "Interactions.InteractionSSEEvent['event_type']",
  statuses: "Interactions.Interaction['status']",
  contents: "Interactions.Content['type']",
  annotations: "Interactions.Annotation['type']",
  models: "Exclude<Interactions.Interaction['model'], undefined>",
  agents: "Exclude<Interactions.Interaction['agent'], undefined>",
  webhookEvents: "Webhooks.Webhook['subscribed_events'][number]",
};

/**
 * The error body the live API answers (the Google envelope, integer `code` and `status`), while
 * both SDKs' generated types declare `{ error: { code?: string, message?: string } }`. Delivered
 * traffic wins (wire reference §8.1), so the difference is allowed here and nowhere else, and
 * each SDK's reaction to it (the error it raises) is checked by the operations themselves.
 */
const PRELUDE = `import type { Interactions, Webhooks } from '@google/genai';
type SdkEvent<T extends string> = Extract<Interactions.InteractionSSEEvent, { event_type: T }>;
type LiveErrorEnvelope = { error: Omit<Interactions.Error, 'code'> & { code?: number | string; status?: string; details?: Array<Record<string, unknown>> } };
`;

/** Type-checks every value against its type; returns the values that do not fit, with the compiler's words. */
export function judge(items: readonly Judged[]): { verdicts: Verdict[]; lists: SdkLists } {
  const file = join(packageRoot, 'test', 'conformance', '__emitted__.mts');
  const listNames = Object.keys(LISTS) as Array<keyof SdkLists>;
  const lines = [PRELUDE, ...listNames.map((k) => `export type List_${k} = ${LISTS[k]};`)];
  const firstItemLine = lines.join('\n').split('\n').length;
  items.forEach((item, i) => lines.push(`export const o${i}: ${item.type} = ${JSON.stringify(item.value)};`));
  const text = lines.join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) => (name === file ? ts.createSourceFile(name, text, lang, true) : getSourceFile(name, lang, onError, create));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? text : readFile(name));
  const program = ts.createProgram([file], options, host);
  const source = program.getSourceFile(file)!;

  const verdicts: Verdict[] = [];
  for (const d of ts.getPreEmitDiagnostics(program, source)) {
    const line = d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start).line : -1;
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const index = line - firstItemLine;
    if (index < 0 || index >= items.length) throw new Error(`the SDK type prelude does not compile: ${message}`);
    verdicts.push({ label: items[index]!.label, type: items[index]!.type, message });
  }

  const checker = program.getTypeChecker();
  const lists = {} as SdkLists;
  const aliases = new Map(source.statements.filter(ts.isTypeAliasDeclaration).map((d) => [d.name.text, d]));
  for (const k of listNames) {
    const alias = aliases.get(`List_${k}`);
    if (!alias) throw new Error(`List_${k} not found`);
    const type = checker.getTypeFromTypeNode(alias.type);
    const members = type.isUnion() ? type.types : [type];
    lists[k] = members.filter((m): m is ts.StringLiteralType => m.isStringLiteral()).map((m) => m.value);
  }
  return { verdicts, lists };
}
