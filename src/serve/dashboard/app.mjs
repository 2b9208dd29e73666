// The gemini-jobs dashboard: a job list and a live job page on the HTTP API (/v1). Plain DOM,
// no framework. Every string from the server is set as text, except reports and thoughts, which
// go through the escaping Markdown renderer. The token comes from the URL fragment (#token=…),
// which browsers never send to a server, and stays in sessionStorage for this tab.
import { renderMarkdown } from './markdown.mjs';

const DEFAULT_AGENT = 'deep-research-preview-04-2026';
const app = document.getElementById('app');
const connection = document.getElementById('connection');
let token = sessionStorage.getItem('gemini-jobs-token') ?? '';
let teardown = () => {};

// ---------- small helpers ----------
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'html')
      el.innerHTML = v; // only ever renderMarkdown() output
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}
const statusBadge = (status) => h('span', { class: 'status', 'data-status': status ?? 'unknown' }, status ?? '—');
function setConnection(state, text) {
  connection.dataset.state = state;
  connection.textContent = text;
}
function age(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (!Number.isFinite(s)) return '—';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d`;
}
function duration(ms) {
  if (!Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}
async function api(method, path, body) {
  const res = await fetch(`/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const data = await res.json().catch(() => undefined);
  if (!res.ok) {
    if (res.status === 401) showLogin(STALE_TOKEN);
    throw new ApiError(res.status, data);
  }
  return data;
}

/** Why a token that worked may stop working, and where the new one is. */
const STALE_TOKEN =
  'The token was not accepted. If the server restarted without GEMINI_JOBS_SERVE_TOKENS, it made a new token: open the dashboard link it printed at start (the line "Dashboard http://…/#token=…" of gemini-jobs serve, gemini-jobs dev or npm start), or paste a token from GEMINI_JOBS_SERVE_TOKENS.';

/** Statuses a job can have, from the API's own document (the job contract), read once. */
let knownStatuses;
const FALLBACK_STATUSES = [
  'pending',
  'queued',
  'running',
  'plan_ready',
  'requires_action',
  'requires_continuation',
  'idle',
  'completed',
  'incomplete',
  'failed',
  'cancelled',
  'budget_exceeded',
  'timed_out',
  'unknown',
];
export function statusesOf(document) {
  const schema = document?.components?.schemas?.JobStatus;
  const listed = schema?.enum ?? schema?.anyOf?.find((s) => Array.isArray(s.enum))?.enum;
  return Array.isArray(listed) && listed.length > 0 ? listed : FALLBACK_STATUSES;
}
function jobStatuses() {
  knownStatuses ??= api('GET', '/openapi.json').then(statusesOf, () => FALLBACK_STATUSES);
  return knownStatuses;
}

/** Numeric usage summed over the turns, for a job whose state has no total (a failed turn). */
export function usageOf(state) {
  if (state.usage) return state.usage;
  const sum = {};
  for (const t of state.turns ?? []) {
    for (const [k, v] of Object.entries(t.usage ?? {})) if (typeof v === 'number') sum[k] = (sum[k] ?? 0) + v;
  }
  return Object.keys(sum).length > 0 ? sum : undefined;
}

/** `est. $0.0123 (prices of 2026-11-01)`: the CLI's cost line, from the job state's `cost`. */
export function costText(cost) {
  if (!cost || typeof cost.usd !== 'number') return undefined;
  const unpriced = cost.unpricedTurns ? `, ${cost.unpricedTurns} turn${cost.unpricedTurns === 1 ? '' : 's'} without a price` : '';
  return `est. $${cost.usd.toFixed(4)} (prices of ${cost.priceTable ?? '?'}${unpriced})`;
}

/** `next` continued from `previous` (grown, or a later window of it), merged; else undefined. */
export function mergeThought(previous, next) {
  if (next.startsWith(previous)) return next;
  for (let k = Math.min(previous.length, next.length) - 1; k >= 24; k--) {
    if (previous.endsWith(next.slice(0, k))) return previous + next.slice(k);
  }
  return undefined;
}

/** Is a plan waiting for approval? One place, so the plan contract can change in one line. */
export function planWaiting(state) {
  if (!state || state.phase === 'done') return false;
  if (state.plan) return true;
  if (state.phase === 'plan-ready') return true;
  const last = state.turns?.[state.turns.length - 1];
  return state.phase === 'waiting-for-input' && last?.status === 'requires_action';
}

// ---------- login ----------
function showLogin(message) {
  teardown();
  setConnection('idle', '');
  const input = h('input', { type: 'text', id: 'token', placeholder: 'bearer token', size: 48, autocomplete: 'off' });
  app.replaceChildren(
    h(
      'section',
      {},
      h('h1', {}, 'Sign in'),
      message
        ? h('p', { class: 'error' }, message)
        : h('p', { class: 'muted' }, 'Paste a token from GEMINI_JOBS_SERVE_TOKENS (or open the link that gemini-jobs dev / serve printed).'),
      h(
        'form',
        {
          class: 'inline',
          onsubmit: (e) => {
            e.preventDefault();
            token = input.value.trim();
            sessionStorage.setItem('gemini-jobs-token', token);
            route();
          },
        },
        input,
        h('button', {}, 'Open'),
      ),
    ),
  );
}

// ---------- job list ----------
function listView() {
  const filters = {
    status: h('select', { id: 'filter-status' }, h('option', { value: '' }, 'any status')),
    agent: h('input', { type: 'text', id: 'filter-agent', placeholder: 'agent' }),
    thread: h('input', { type: 'text', id: 'filter-thread', placeholder: 'thread' }),
  };
  const question = h('textarea', { id: 'new-question', placeholder: 'Research question' });
  const agent = h('input', { type: 'text', id: 'new-agent', value: DEFAULT_AGENT, size: 32 });
  const thread = h('input', { type: 'text', id: 'new-thread', placeholder: 'thread (optional)' });
  const planning = h('input', { type: 'checkbox', id: 'new-planning' });
  const formError = h('p', { class: 'error', id: 'new-error' });
  const rows = h('tbody', { id: 'jobs' });
  const listError = h('p', { class: 'error' });

  async function start(e) {
    e.preventDefault();
    formError.textContent = '';
    const request = {
      agent: agent.value.trim(),
      input: question.value,
      agent_config: { type: 'deep-research', thinking_summaries: 'auto', ...(planning.checked ? { collaborative_planning: true } : {}) },
    };
    try {
      const started = await api('POST', '/jobs', { request, ...(thread.value.trim() ? { thread: thread.value.trim() } : {}) });
      location.hash = `#/jobs/${encodeURIComponent(started.jobId)}`;
    } catch (err) {
      formError.textContent = err.message;
    }
  }
  let timer;
  let stopped = false;
  async function refresh() {
    const q = new URLSearchParams({ limit: '50' });
    for (const [k, el] of Object.entries(filters)) if (el.value.trim()) q.set(k, el.value.trim());
    try {
      const { jobs } = await api('GET', `/jobs?${q}`);
      listError.textContent = '';
      setConnection('live', 'connected');
      rows.replaceChildren(
        ...(jobs.length
          ? jobs.map((j) =>
              h(
                'tr',
                { 'data-job': j.jobId },
                h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(j.jobId)}` }, j.question ?? j.jobId)),
                h('td', {}, j.agent ?? '—'),
                h('td', {}, statusBadge(j.status ?? j.executionStatus?.toLowerCase())),
                h('td', {}, j.thread ?? '—'),
                h('td', { title: j.startTime }, age(j.startTime)),
              ),
            )
          : [h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No jobs match.'))]),
      );
    } catch (err) {
      if (err.status !== 401) {
        listError.textContent = err.message;
        setConnection('reconnecting', 'reconnecting…');
      }
    }
    if (!stopped) timer = setTimeout(refresh, 3000);
  }
  for (const el of Object.values(filters))
    el.addEventListener('change', () => {
      clearTimeout(timer);
      refresh();
    });
  jobStatuses().then((statuses) => filters.status.append(...statuses.map((status) => h('option', { value: status }, status))));
  app.replaceChildren(
    h(
      'section',
      {},
      h('h1', {}, 'New Deep Research job'),
      h(
        'form',
        { id: 'new-job', onsubmit: start },
        question,
        h(
          'div',
          { class: 'inline form' },
          h('label', {}, 'Agent ', agent),
          ' ',
          thread,
          ' ',
          h('label', {}, planning, ' collaborative planning'),
          ' ',
          h('button', { id: 'start' }, 'Start'),
        ),
        formError,
      ),
    ),
    h(
      'section',
      {},
      h('h1', {}, 'Jobs'),
      h('div', { class: 'filters' }, filters.status, filters.agent, filters.thread),
      listError,
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Question', 'Agent', 'Status', 'Thread', 'Age'].map((t) => h('th', {}, t)),
          ),
        ),
        rows,
      ),
    ),
  );
  refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

// ---------- schedules ----------
/** How a schedule runs, in words: its cron (UTC) or its interval. */
export function scheduleTiming(s) {
  if (s.cron) return `cron ${s.cron} (UTC)`;
  if (s.everyMs !== undefined) return s.everyMs % 60_000 === 0 ? `every ${s.everyMs / 60_000} min` : `every ${s.everyMs / 1000} s`;
  return '—';
}

function schedulesView() {
  const rows = h('tbody', { id: 'schedules' });
  const listError = h('p', { class: 'error', id: 'schedules-error' });
  let timer;
  let stopped = false;
  async function act(id, verb) {
    try {
      await api('POST', `/schedules/${encodeURIComponent(id)}/${verb}`, {});
      listError.textContent = '';
    } catch (err) {
      listError.textContent = err.message;
    }
    clearTimeout(timer);
    refresh();
  }
  async function refresh() {
    try {
      const { schedules } = await api('GET', '/schedules');
      setConnection('live', 'connected');
      rows.replaceChildren(
        ...(schedules.length
          ? schedules.map((s) => {
              const last = s.recentRuns[s.recentRuns.length - 1];
              return h(
                'tr',
                { 'data-schedule': s.scheduleId },
                h('td', {}, s.scheduleId, s.question ? h('div', { class: 'muted' }, s.question) : ''),
                h('td', {}, scheduleTiming(s), s.chain ? ' · chained' : ''),
                h('td', {}, s.paused ? 'paused' : 'active'),
                h('td', { class: 'next-runs' }, s.nextRuns.length ? s.nextRuns.slice(0, 3).map((t) => h('div', { title: t }, new Date(t).toLocaleString())) : '—'),
                h('td', {}, last ? h('a', { href: `#/jobs/${encodeURIComponent(last.jobId)}` }, age(last.startedAt)) : '—'),
                h(
                  'td',
                  {},
                  h('button', { onclick: () => act(s.scheduleId, s.paused ? 'resume' : 'pause') }, s.paused ? 'Resume' : 'Pause'),
                  ' ',
                  h('button', { onclick: () => act(s.scheduleId, 'trigger') }, 'Run now'),
                ),
              );
            })
          : [h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No schedules. Create one: gemini-jobs schedule create --cron "0 8 * * MON" "question"'))]),
      );
    } catch (err) {
      if (err.status !== 401) {
        listError.textContent = err.message;
        setConnection('reconnecting', 'reconnecting…');
      }
    }
    if (!stopped) timer = setTimeout(refresh, 5000);
  }
  app.replaceChildren(
    h(
      'section',
      {},
      h('h1', {}, 'Schedules'),
      listError,
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Schedule', 'When', 'State', 'Next runs', 'Last run', ''].map((t) => h('th', {}, t)),
          ),
        ),
        rows,
      ),
    ),
  );
  refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

// ---------- live events (SSE over fetch, so the token goes in a header) ----------
async function* sseEvents(response, signal) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || signal.aborted) return;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = { id: undefined, type: 'message', data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const [field, ...rest] = line.split(':');
          const v = rest.join(':').replace(/^ /, '');
          if (field === 'id') event.id = v;
          else if (field === 'event') event.type = v;
          else if (field === 'data') event.data += (event.data ? '\n' : '') + v;
        }
        if (event.data) yield event;
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** Follows a job's events until it closes, reconnecting with Last-Event-ID after any drop. */
function followEvents(jobId, onEvent, onState) {
  const abort = new AbortController();
  let lastId;
  (async () => {
    let backoff = 500;
    while (!abort.signal.aborted) {
      try {
        const res = await fetch(`/v1/jobs/${encodeURIComponent(jobId)}/events?until=close`, {
          headers: { authorization: `Bearer ${token}`, ...(lastId !== undefined ? { 'last-event-id': lastId } : {}) },
          signal: abort.signal,
        });
        if (res.status === 401) return showLogin(STALE_TOKEN);
        if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => undefined));
        onState('live', 'live');
        backoff = 500;
        for await (const e of sseEvents(res, abort.signal)) {
          if (e.id !== undefined) lastId = e.id;
          let data;
          try {
            data = JSON.parse(e.data);
          } catch {
            continue;
          }
          onEvent(e.type, data);
          if (e.type === 'done' && data.closed) {
            onState('idle', 'job closed');
            return;
          }
        }
      } catch (err) {
        if (abort.signal.aborted) return;
        if (err.status === 404) {
          onState('idle', 'no such job');
          return;
        }
      }
      if (abort.signal.aborted) return;
      onState('reconnecting', 'reconnecting…');
      await sleep(backoff);
      backoff = Math.min(5000, backoff * 2);
    }
  })();
  return () => abort.abort();
}

// ---------- job page ----------
function jobView(jobId) {
  let state;
  let stopped = false;
  const thoughts = [];
  const title = h('h1', { id: 'job-title' }, jobId);
  const facts = h('div', { class: 'grid', id: 'facts' });
  const bar = h('div', {});
  const planBox = h('section', { class: 'plan', id: 'plan', hidden: true });
  const thoughtList = h('ol', { id: 'thoughts' });
  // Shown once a thought arrives: a job without any (finished, or a model turn) shows no empty card.
  const thoughtCard = h('section', { id: 'thought-card', hidden: true }, h('h2', {}, 'Thought summaries'), thoughtList);
  const report = h('div', { class: 'report', id: 'report' }, h('p', { class: 'muted' }, 'The report appears when the turn ends.'));
  const usage = h('div', { id: 'usage', class: 'muted' });
  const reportLabel = h('span', { class: 'muted', id: 'report-label' });
  const turns = h('tbody', { id: 'turns' });
  const actionError = h('p', { class: 'error', id: 'action-error' });
  const followInput = h('textarea', { id: 'follow-up-input', placeholder: 'Follow-up question' });
  const cancelButton = h(
    'button',
    { class: 'danger', id: 'cancel', onclick: () => act(() => api('POST', `/jobs/${encodeURIComponent(jobId)}/cancel`, { reason: 'cancelled from the dashboard' })) },
    'Cancel job',
  );
  const followButton = h(
    'button',
    { id: 'follow-up', onclick: () => followInput.value.trim() && act(() => api('POST', `/jobs/${encodeURIComponent(jobId)}/follow-up`, { input: followInput.value })) },
    'Ask follow-up',
  );
  const followBox = h('div', { id: 'follow-up-box', hidden: true }, followInput, followButton);
  let reportTurn = -1;
  /** The full text of the waiting plan (its turn's report; the state holds a summary). */
  let planText;

  async function act(run) {
    actionError.textContent = '';
    try {
      await run();
      await refresh();
    } catch (err) {
      actionError.textContent = err.message;
    }
  }
  async function refresh() {
    try {
      state = await api('GET', `/jobs/${encodeURIComponent(jobId)}`);
    } catch (err) {
      if (err.status === 404) title.textContent = `No job ${jobId}`;
      return;
    }
    render();
    const settled = [...state.turns].reverse().find((t) => t.status !== 'running' && t.status !== 'pending');
    if (settled && settled.turn !== reportTurn) {
      reportTurn = settled.turn;
      try {
        const outcome = await api('GET', `/jobs/${encodeURIComponent(jobId)}/result`);
        reportLabel.textContent = outcome.turn ? ` turn ${outcome.turn.turn}, ${outcome.turn.status}` : '';
        planText = outcome.report !== undefined && outcome.turn?.turn === (state.plan?.turn ?? outcome.turn?.turn) ? { turn: outcome.turn.turn, text: outcome.report } : undefined;
        if (outcome.report) report.innerHTML = renderMarkdown(outcome.report);
        else report.replaceChildren(h('p', { class: 'muted' }, `No report (${outcome.status}).`));
        render();
      } catch (err) {
        report.replaceChildren(h('p', { class: 'error' }, err.message));
      }
    }
  }
  function render() {
    if (!state) return;
    title.textContent = state.question ?? jobId;
    const turnStarted = Date.parse(state.turnStartedAt ?? state.startedAt);
    const deadline = state.deadlineAt ? Date.parse(state.deadlineAt) : NaN;
    const running = state.phase !== 'done' && state.phase !== 'waiting-for-input' && !planWaiting(state);
    const elapsed = running
      ? Date.now() - turnStarted
      : state.turns[state.turns.length - 1]?.endedAt
        ? Date.parse(state.turns[state.turns.length - 1].endedAt) - turnStarted
        : state.elapsedMs;
    const finished = state.phase === 'done';
    facts.replaceChildren(
      ...[
        h('div', {}, h('span', {}, 'Status'), statusBadge(state.status)),
        h('div', {}, h('span', {}, 'Phase'), h('b', { id: 'phase' }, planWaiting(state) ? `${state.phase} (plan waiting)` : state.phase)),
        // A finished turn shows how long it took; only a running one has a deadline to show.
        running
          ? h(
              'div',
              {},
              h('span', {}, 'Elapsed / deadline'),
              h('b', { id: 'elapsed' }, `${duration(elapsed)} / ${Number.isFinite(deadline) ? duration(deadline - turnStarted) : '—'}`),
            )
          : h('div', {}, h('span', {}, 'Took'), h('b', { id: 'elapsed' }, duration(elapsed))),
        h('div', {}, h('span', {}, 'Agent'), state.agent ?? state.model ?? '—'),
        h('div', {}, h('span', {}, 'Thread'), state.thread ?? '—'),
        h('div', {}, h('span', {}, 'Turn'), String(state.turn)),
        h('div', { class: 'job-id' }, h('span', {}, 'Job id'), h('code', { id: 'job-id', title: state.jobId }, state.jobId)),
        state.progress && !finished ? h('div', {}, h('span', {}, 'Output so far'), `${state.progress.outputChars} chars, ${state.progress.eventsApplied} events`) : null,
      ].filter(Boolean),
    );
    bar.style.width = Number.isFinite(deadline) && running ? `${Math.min(100, (100 * elapsed) / (deadline - turnStarted))}%` : state.phase === 'done' ? '100%' : '0%';
    if (state.error) facts.append(h('div', {}, h('span', {}, 'Error'), h('span', { class: 'error' }, `${state.error.code}: ${state.error.message}`)));
    const u = usageOf(state);
    const cost = costText(state.cost);
    usage.textContent = u
      ? [
          ...Object.entries(u)
            .filter(([, v]) => typeof v === 'number')
            .map(([k, v]) => `${k.replace(/^total_/, '').replace(/_/g, ' ')}: ${v}`),
          ...(cost ? [cost] : []),
        ].join(' · ')
      : finished
        ? 'No usage was reported.'
        : 'No usage reported yet.';
    turns.replaceChildren(
      ...state.turns.map((t) =>
        h(
          'tr',
          {},
          h('td', {}, String(t.turn)),
          h('td', {}, statusBadge(t.status)),
          h('td', {}, h('code', {}, t.interactionId ?? '—')),
          h('td', {}, t.outputChars !== undefined ? String(t.outputChars) : '—'),
          h('td', {}, t.usage?.total_tokens !== undefined ? String(t.usage.total_tokens) : '—'),
          h('td', { title: t.startedAt }, new Date(t.startedAt).toLocaleTimeString()),
          h('td', {}, t.endedAt ? duration(Date.parse(t.endedAt) - Date.parse(t.startedAt)) : 'running'),
        ),
      ),
    );
    const waiting = planWaiting(state);
    planBox.hidden = !waiting;
    const planTurn = state.plan?.turn ?? state.turn;
    const fullPlan = planText?.turn === planTurn ? planText.text : undefined;
    const planKey = `${planTurn}:${fullPlan !== undefined ? 'full' : 'summary'}`;
    if (waiting && planBox.dataset.key !== planKey) {
      planBox.dataset.key = planKey;
      const shown = fullPlan ?? state.plan?.text;
      const refine = h('textarea', { id: 'refine-input', placeholder: 'How should the plan change?' });
      planBox.replaceChildren(
        h('h2', {}, 'Plan waiting for approval'),
        shown ? h('div', { class: 'report', id: 'plan-text', html: renderMarkdown(shown) }) : h('p', { class: 'muted' }, 'The proposed plan is the report below.'),
        h(
          'div',
          { class: 'inline' },
          h('button', { id: 'approve-plan', onclick: () => act(() => api('POST', `/jobs/${encodeURIComponent(jobId)}/plan/approve`, {})) }, 'Approve plan'),
        ),
        refine,
        h(
          'button',
          {
            class: 'secondary',
            id: 'refine-plan',
            onclick: () => refine.value.trim() && act(() => api('POST', `/jobs/${encodeURIComponent(jobId)}/plan/refine`, { instructions: refine.value })),
          },
          'Refine plan',
        ),
      );
    }
    // A finished job has nothing to cancel; one waiting for a follow-up can still be ended.
    cancelButton.hidden = finished;
    followBox.hidden = waiting || !(state.followUpUntil !== undefined || state.phase === 'waiting-for-input');
  }
  function onEvent(type, e) {
    if (type === 'thought') {
      if (thoughts.includes(e.text)) return;
      // Each event is the latest thought so far (its last 2,000 chars): a growing thought
      // replaces its own item instead of adding a new one.
      const last = thoughts.length - 1;
      const merged = last >= 0 ? mergeThought(thoughts[last], e.text) : undefined;
      if (merged !== undefined) {
        thoughts[last] = merged;
        thoughtList.lastElementChild.innerHTML = renderMarkdown(merged);
      } else {
        thoughts.push(e.text);
        thoughtList.append(h('li', { html: renderMarkdown(e.text) }));
      }
      thoughtCard.hidden = false;
    } else if (type === 'phase' || type === 'turn-completed' || type === 'done') {
      refresh();
    } else if (type === 'progress' && state) {
      state.progress = { ...(state.progress ?? {}), outputChars: e.outputChars, eventsApplied: e.eventsApplied };
      render();
    }
  }
  const tick = setInterval(() => !stopped && render(), 1000);
  const stopEvents = followEvents(jobId, onEvent, (s, text) => setConnection(s, text));
  app.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← all jobs')),
    h('section', {}, title, facts, h('div', { class: 'bar' }, bar), h('div', { class: 'inline' }, cancelButton), actionError),
    planBox,
    thoughtCard,
    h('section', {}, h('h2', {}, 'Report', reportLabel), report, followBox),
    h('section', {}, h('h2', {}, 'Usage'), usage),
    h(
      'section',
      {},
      h('h2', {}, 'Turns'),
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Turn', 'Status', 'Interaction', 'Chars', 'Tokens', 'Started', 'Took'].map((t) => h('th', {}, t)),
          ),
        ),
        turns,
      ),
    ),
  );
  refresh();
  return () => {
    stopped = true;
    clearInterval(tick);
    stopEvents();
  };
}

// ---------- routing ----------
function route() {
  const hash = location.hash;
  const fromLink = /(?:^#|&)token=([^&]+)/.exec(hash);
  if (fromLink) {
    token = decodeURIComponent(fromLink[1]);
    sessionStorage.setItem('gemini-jobs-token', token);
    history.replaceState(null, '', location.pathname + '#/'); // the token leaves the address bar
  }
  teardown();
  if (!token) return showLogin();
  const job = /^#\/jobs\/(.+)$/.exec(location.hash);
  teardown = job ? jobView(decodeURIComponent(job[1])) : location.hash === '#/schedules' ? schedulesView() : listView();
}
window.addEventListener('hashchange', route);
route();
