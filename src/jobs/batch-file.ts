/**
 * Reading a batch's questions from a file's text: JSON lines (a string, `{"question": ...}` or a
 * whole job request per line) or CSV with a header (`question` or `input`, optional `agent` /
 * `model`). Items with neither `agent` nor `model` get `defaults`. Pure: no I/O.
 */
import type { JobRequest } from '../contract';
import { JobValidationError } from './validate-job';

export type BatchFileFormat = 'jsonl' | 'csv';

/** `csv` for a `.csv` name, else JSON lines. */
export function batchFormatOf(fileName: string): BatchFileFormat {
  return /\.csv$/i.test(fileName) ? 'csv' : 'jsonl';
}

function withDefaults(r: Record<string, unknown>, defaults: Record<string, unknown>): JobRequest {
  return (r.agent === undefined && r.model === undefined ? { ...defaults, ...r } : r) as unknown as JobRequest;
}

/** Splits CSV text into rows (RFC 4180: quoted fields, doubled quotes, newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      if (row.some((c) => c !== '')) rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  row.push(cell);
  if (row.some((c) => c !== '')) rows.push(row);
  return rows;
}

/**
 * The job requests of a batch file. Throws `JobValidationError` naming the line (`line 3`) for a
 * line that is not JSON, or a CSV without a `question`/`input` column.
 */
export function parseBatchFile(text: string, format: BatchFileFormat, defaults: Record<string, unknown>): JobRequest[] {
  if (format === 'csv') {
    const [header, ...rows] = parseCsv(text);
    const cols = (header ?? []).map((h) => h.trim().toLowerCase());
    const q = cols.findIndex((c) => c === 'question' || c === 'input');
    if (q < 0) throw new JobValidationError('line 1', 'the CSV header has no `question` (or `input`) column', 'Start the file with a header line such as `question,agent`.');
    const agent = cols.indexOf('agent');
    const model = cols.indexOf('model');
    return rows.map((row) => {
      const r: Record<string, unknown> = { input: row[q] ?? '' };
      if (agent >= 0 && row[agent]) r.agent = row[agent];
      if (model >= 0 && row[model]) r.model = row[model];
      return withDefaults(r, defaults);
    });
  }
  const out: JobRequest[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (err) {
      throw new JobValidationError(
        `line ${i + 1}`,
        `is not JSON (${(err as Error).message})`,
        'Write one JSON value per line: "a question", {"question": "..."} or a job request {"agent": "...", "input": "..."}.',
      );
    }
    if (typeof v === 'string') out.push(withDefaults({ input: v }, defaults));
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      const { question, ...rest } = v as Record<string, unknown>;
      out.push(withDefaults(question !== undefined && rest.input === undefined ? { ...rest, input: question } : (v as Record<string, unknown>), defaults));
    } else throw new JobValidationError(`line ${i + 1}`, 'must be a string or an object', 'Write "a question" or {"question": "..."}.');
  });
  return out;
}
