/**
 * Renders `JobsClient.watch` events for people: on a TTY one redrawn status line (spinner, phase,
 * elapsed vs deadline, characters so far, latest thought summary); otherwise plain timestamped
 * lines. Report text goes to its own stream (stdout) so `watch id > report.md` works.
 */
import type { JobEvent } from '../jobs/watch';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface RendererOptions {
  /** Where progress goes (stderr). */
  progress: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Where the report text goes (stdout). */
  report: NodeJS.WritableStream;
  /** Force TTY rendering on or off (default: `progress.isTTY`). */
  tty?: boolean;
  jobId?: string;
  /** Milliseconds between plain progress lines (non-TTY). Default 5 000. */
  plainProgressEveryMs?: number;
}

/** mm:ss, or h:mm:ss past an hour. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `text` cut to at most `max` characters at a word boundary, with an ellipsis when cut. */
export function fitWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const slice = text.slice(0, Math.max(1, max - 1));
  // The slice ends at a word's end when the next character is a space: keep that word.
  if (/\s/.test(text[slice.length] ?? '')) return slice.trimEnd() + '…';
  const space = slice.lastIndexOf(' ');
  return (space > max / 3 ? slice.slice(0, space) : slice).trimEnd() + '…';
}

export class ProgressRenderer {
  private readonly tty: boolean;
  private frame = 0;
  private timer?: NodeJS.Timeout;
  private phase = 'starting';
  private status = 'pending';
  private turn?: number;
  private turnStartedMs?: number;
  private deadlineMs?: number;
  private outputChars = 0;
  private thought?: string;
  private retrying?: { attempt: number; lastFailure: string };
  private lastPlainProgress = 0;
  private lineShown = false;
  private reportStarted = false;
  private reportEndsWithNewline = true;
  private readonly startedMs = Date.now();

  constructor(private readonly options: RendererOptions) {
    this.tty = options.tty ?? options.progress.isTTY === true;
    if (this.tty) {
      this.timer = setInterval(() => this.draw(), 100);
      this.timer.unref();
    }
  }

  private elapsed(): number {
    return Date.now() - (this.turnStartedMs ?? this.startedMs);
  }

  private clearLine(): void {
    if (this.tty && this.lineShown) {
      this.options.progress.write('\r\x1b[2K');
      this.lineShown = false;
    }
  }

  private draw(): void {
    if (!this.tty || this.reportStarted) return;
    const width = Math.max(40, (this.options.progress.columns ?? 100) - 1);
    const spin = SPINNER[this.frame++ % SPINNER.length];
    const deadline = this.deadlineMs !== undefined && this.turnStartedMs !== undefined ? ` / ${formatDuration(this.deadlineMs - this.turnStartedMs)}` : '';
    const parts = [`${spin} ${this.turn !== undefined ? `turn ${this.turn} · ` : ''}${this.phase}`, `${formatDuration(this.elapsed())}${deadline}`];
    if (this.outputChars > 0) parts.push(`${this.outputChars.toLocaleString('en-US')} chars`);
    if (this.thought) parts.push(oneLine(this.thought));
    if (this.retrying) parts.push(`attempt ${this.retrying.attempt}: ${this.retrying.lastFailure}`);
    const line = fitWords(parts.join(' · '), width);
    this.options.progress.write(`\r\x1b[2K${line}`);
    this.lineShown = true;
  }

  private plain(text: string): void {
    this.options.progress.write(`[${formatDuration(this.elapsed())}] ${text}\n`);
  }

  /** Shows one event. */
  handle(event: JobEvent): void {
    this.turn = event.turn;
    switch (event.type) {
      case 'phase': {
        this.phase = phaseLabel(event.phase, event.status, event.admission);
        this.status = event.status;
        if (event.turnStartedAt) this.turnStartedMs = Date.parse(event.turnStartedAt);
        if (event.deadlineAt) this.deadlineMs = Date.parse(event.deadlineAt);
        this.retrying = event.retrying ? { attempt: event.retrying.attempt, lastFailure: oneLine(event.retrying.lastFailure) } : undefined;
        if (!this.tty) {
          const deadline = event.deadlineAt ? `, deadline ${event.deadlineAt}` : '';
          const attempt = event.attempt && event.attempt > 1 ? `, attempt ${event.attempt}` : '';
          const failure = this.retrying ? ` (retrying ${event.retrying!.activity}; last failure: ${this.retrying.lastFailure})` : '';
          this.plain(`turn ${event.turn}: ${this.phase}${attempt}${deadline}${failure}`);
        }
        break;
      }
      case 'progress':
        this.outputChars = event.outputChars;
        if (!this.tty && event.outputChars > 0 && Date.now() - this.lastPlainProgress >= (this.options.plainProgressEveryMs ?? 5_000)) {
          this.lastPlainProgress = Date.now();
          this.plain(`${event.outputChars.toLocaleString('en-US')} chars so far`);
        }
        break;
      case 'thought':
        this.thought = event.text;
        if (!this.tty) this.plain(`thought: ${oneLine(event.text)}`);
        break;
      case 'output':
        if (!this.reportStarted) {
          this.clearLine();
          this.reportStarted = true;
        }
        this.options.report.write(event.text);
        if (event.text.length > 0) this.reportEndsWithNewline = event.text.endsWith('\n');
        break;
      case 'turn-completed': {
        if (this.reportStarted && !this.reportEndsWithNewline) this.options.report.write('\n');
        this.reportStarted = true;
        this.clearLine();
        this.status = event.status;
        const chars = event.outputChars > 0 ? `, ${event.outputChars.toLocaleString('en-US')} chars` : '';
        const waiting = event.status === 'requires_action' || event.status === 'requires_continuation' || event.status === 'idle';
        const mark = event.status === 'completed' ? '✔' : waiting ? '…' : '✖';
        const id = this.options.jobId ?? '<jobId>';
        const what = event.planReady
          ? `plan ready: approve it with \`gemini-jobs approve-plan ${id}\`, or refine it with \`gemini-jobs refine-plan ${id} "<changes>"\``
          : event.status;
        const error = event.error ? `: ${event.error.code}: ${event.error.message}` : '';
        const unavailable = event.reportAvailable ? '' : ` (report text unavailable here: \`gemini-jobs result ${this.options.jobId ?? '<jobId>'}\` says where it looked)`;
        const took = event.durationMs ?? this.elapsed();
        this.options.progress.write(`${mark} turn ${event.turn} ${what} after ${formatDuration(took)}${chars}${error}${unavailable}\n`);
        break;
      }
      case 'done':
        this.status = event.status;
        break;
    }
  }

  /** Prints a line (a warning, a hint) above the status line. */
  notice(text: string): void {
    this.clearLine();
    this.options.progress.write(text + '\n');
  }

  /** Stops the spinner and clears its line. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.clearLine();
  }

  get lastStatus(): string {
    return this.status;
  }
}

/** `queued (quota) #3` while waiting for admission, else `status (phase)` or just the phase. */
export function phaseLabel(phase: string, status: string, admission?: { position: number }): string {
  if (phase === 'queued') return `queued (quota)${admission && admission.position > 0 ? ` #${admission.position}` : ''}`;
  return phase === status ? phase : `${status} (${phase})`;
}
