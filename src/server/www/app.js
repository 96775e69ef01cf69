// zest dashboard: reads the server's JSON API and follows its event stream. No dependencies.
'use strict';

const TOKEN = new URLSearchParams(location.search).get('token') || '';
const MAX_EVENTS = 5000;
const STATES = ['pending', 'running', 'done', 'retrying', 'failed', 'skipped'];
const LEVELS = { DEBUG: 0, INFO: 1, WARNING: 2, ERROR: 3 };
const PALETTE = ['#3b82f6', '#22a06b', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#f97316',
  '#64748b', '#84cc16', '#0ea5e9'];
const SVGNS = 'http://www.w3.org/2000/svg';

const ui = {
  job: '', status: null, report: null, timeline: null, events: [], seen: new Set(),
  source: null, refreshTimer: 0, refreshing: false, again: false,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function url(path, args) {
  const q = new URLSearchParams(args || {});
  if (ui.job) q.set('job', ui.job);
  if (TOKEN) q.set('token', TOKEN);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

async function api(path, args) {
  const r = await fetch(url(path, args), { cache: 'no-store' });
  const body = await r.json().catch(() => ({ error: `${path}: HTTP ${r.status}` }));
  if (!r.ok) throw new Error(body.error || `${path}: HTTP ${r.status}`);
  return body;
}

function fmt(n, digits) {
  if (n === null || n === undefined || n < 0 || !isFinite(n)) return '-';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits ?? 0 });
}

function dur(s) {
  if (s === null || s === undefined || s < 0 || !isFinite(s)) return '-';
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function showError(msg) {
  $('error').hidden = !msg;
  $('error').textContent = msg || '';
}

// ---- jobs and refresh

async function loadJobs() {
  const j = await api('/api/jobs').catch(() => ({ jobs: [] }));
  const want = new URLSearchParams(location.search).get('job');
  const sel = $('job');
  const old = sel.value;
  sel.replaceChildren(...j.jobs.map((x) => el('option', { value: x.job_id, text: x.job_id })));
  const pick = [want, old].find((x) => x && j.jobs.some((y) => y.job_id === x));
  ui.job = pick || (j.jobs[0] ? j.jobs[0].job_id : '');
  sel.value = ui.job;
}

// A large job's log takes the server a while to read: refresh at most every twice that long,
// so an open page never keeps a core busy beside the job.
function scheduleRefresh(delay) {
  if (ui.refreshTimer) return;
  const wait = Math.max(delay, 2 * (ui.lastRefreshMs || 0));
  ui.refreshTimer = setTimeout(() => { ui.refreshTimer = 0; refresh(); }, wait);
}

async function refresh() {
  if (ui.refreshing) { ui.again = true; return; }
  ui.refreshing = true;
  const t0 = performance.now();
  try {
    if (!ui.job) await loadJobs();
    if (!ui.job) { showError('no job yet: waiting for an event log'); return; }
    const [st, rep, tl] = await Promise.all([api('/api/status'), api('/api/report'), api('/api/timeline')]);
    ui.status = st; ui.report = rep; ui.timeline = tl;
    showError('');
    render();
  } catch (e) {
    showError(String(e.message || e));
  } finally {
    ui.lastRefreshMs = performance.now() - t0;
    ui.refreshing = false;
    if (ui.again) { ui.again = false; scheduleRefresh(300); }
  }
}

function render() {
  renderHeader(ui.status);
  renderGrid(ui.status, ui.timeline);
  renderGantt(ui.timeline);
  renderThroughput(ui.report);
  renderMemory(ui.timeline);
  renderOps(ui.report);
  renderFindings(ui.report);
  fillOpFilter(ui.report);
}

// ---- header

function renderHeader(st) {
  const state = $('state');
  state.textContent = st.state;
  state.dataset.state = st.state;
  document.body.dataset.state = st.state;
  $('elapsed').textContent = dur(st.elapsed_s);
  $('eta').textContent = st.state === 'running' ? dur(st.eta_s) : '-';
  $('rows-s').textContent = fmt(st.rows_per_s);
  $('mb-s').textContent = fmt(st.mb_per_s, 2);
  const c = st.counts;
  $('parts').textContent = `${c.done + c.skipped} / ${st.partitions_total}`;
  $('retries').textContent = fmt(st.retries);
  $('skipped').textContent = fmt(c.skipped);
  $('rows').textContent = `${fmt(st.rows_in)} / ${fmt(st.rows_out)}`;
  const frac = st.partitions_total ? (c.done + c.skipped) / st.partitions_total : 0;
  $('progress-fill').style.width = `${(100 * frac).toFixed(1)}%`;
  document.title = `zest ${st.job_id}: ${st.state} ${Math.round(100 * frac)}%`;
}

// ---- partition grid: the partition's state, then each op's state within it

function opStates(st, tl) {
  const nOps = tl ? tl.ops.length : 0;
  const spans = tl ? tl.spans : [];
  const start = new Map(); // partition -> start of its latest attempt
  for (const [p, , attempt, op, t0] of spans) {
    const part = st.partitions[p];
    if (op < 0 && part && attempt === part.attempts) start.set(p, t0);
  }
  const doneOps = new Map(); // partition -> Set of ops finished in its latest attempt
  for (const [p, , , op, t0] of spans) {
    if (op < 0 || !start.has(p) || t0 < start.get(p)) continue;
    if (!doneOps.has(p)) doneOps.set(p, new Set());
    doneOps.get(p).add(op);
  }
  return st.partitions.map((part) => {
    const row = [];
    for (let k = 0; k < nOps; k++) {
      if (part.state !== 'running' && part.state !== 'retrying') { row.push(part.state); continue; }
      const done = doneOps.get(part.id);
      if (done && done.has(k)) row.push('done');
      else if (!row.includes(part.state)) row.push(part.state);
      else row.push('pending');
    }
    return row;
  });
}

function renderGrid(st, tl) {
  const grid = $('grid');
  const perOp = opStates(st, tl);
  const rows = [['partition', st.partitions.map((p) => p.state)]];
  (tl ? tl.ops : []).forEach((name, k) => rows.push([name, perOp.map((r) => r[k])]));
  const kids = [];
  rows.forEach(([label, states], r) => {
    kids.push(el('div', { class: 'label', text: label }));
    const cells = el('div', { class: 'cells', 'data-row': r === 0 ? 'partition' : label });
    states.forEach((s, i) => {
      const p = st.partitions[i];
      const tip = `partition ${p.id}: ${s}` + (r === 0 ? `, ${p.attempts} attempt(s)` +
        (p.worker >= 0 ? `, worker ${p.worker}` : '') + (p.error ? `\n${p.error}` : '') : ` (${label})`);
      cells.append(el('div', { class: `cell ${s}`, title: tip, 'data-partition': p.id, 'data-state': s }));
    });
    kids.push(cells);
  });
  grid.replaceChildren(...kids);
  grid.classList.toggle('dense', st.partitions.length > 300);
  const c = st.counts;
  $('grid-legend').replaceChildren(...STATES.flatMap((s) => {
    const k = el('span', { class: `key cell ${s}` });
    return [k, `${s} ${c[s]}`];
  }));
}

// ---- charts

function emptyChart(box, h, msg) {
  const s = svg('svg', { viewBox: `0 0 800 ${h}`, height: h });
  s.append(svg('text', { x: 400, y: h / 2, 'text-anchor': 'middle', class: 'empty' }, msg));
  box.replaceChildren(s);
}

function ticks(max, n) {
  if (!(max > 0)) return [0];
  const raw = max / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let v = 0; v <= max + 1e-9; v += step) out.push(v);
  return out;
}

function renderGantt(tl) {
  const box = $('gantt');
  if (!tl || !tl.spans.length) return emptyChart(box, 80, 'no partition has started yet');
  const workers = Math.max(tl.workers, ...tl.spans.map((s) => s[1] + 1));
  const tmax = Math.max(tl.wall_s, ...tl.spans.map((s) => Math.max(s[4], s[5]))) || 1;
  const L = 70, W = 800, R = 10, rowH = 26, top = 6, h = top + workers * rowH + 24;
  const x = (t) => L + (W - L - R) * (t / tmax);
  const s = svg('svg', { viewBox: `0 0 ${W} ${h}`, height: h, 'data-spans': tl.spans.length });
  for (let w = 0; w < workers; w++)
    s.append(svg('text', { x: 4, y: top + w * rowH + 17 }, `worker ${w}`));
  for (const t of ticks(tmax, 8)) {
    s.append(svg('line', { x1: x(t), x2: x(t), y1: top, y2: h - 20, class: 'axis', 'stroke-dasharray': '2 3' }));
    s.append(svg('text', { x: x(t), y: h - 6, 'text-anchor': 'middle' }, `${+t.toFixed(2)} s`));
  }
  const marks = [];
  for (const [p, w, attempt, op, t0, t1raw, failed, skipped] of tl.spans) {
    const t1 = t1raw > t0 ? t1raw : tmax;
    const y = top + w * rowH + 2, bw = Math.max(1, x(t1) - x(t0));
    const tip = `partition ${p}, attempt ${attempt}, worker ${w}` +
      (op >= 0 ? `, ${tl.ops[op] || 'op ' + op}` : '') + `: ${t0.toFixed(3)}-${t1.toFixed(3)} s` +
      (failed ? ' (failed)' : '') + (skipped ? ' (skipped)' : '');
    let r;
    if (op < 0) {
      r = svg('rect', { x: x(t0), y, width: bw, height: rowH - 4, rx: 2,
        class: `attempt${failed ? ' failed' : ''}${skipped ? ' skipped' : ''}`, 'data-partition': p });
      s.append(r);
      if (skipped) marks.push(svg('text', { x: x(t0) + 2, y: y + 15, class: 'mark skip' }, '\u2716'));
      else if (attempt > 1) marks.push(svg('text', { x: x(t0) + 2, y: y + 15, class: 'mark retry' }, '\u21bb'));
    } else {
      r = svg('rect', { x: x(t0), y: y + 4, width: bw, height: rowH - 12, fill: PALETTE[op % PALETTE.length] });
      s.append(r);
    }
    r.append(svg('title', {}, tip));
  }
  s.append(...marks);
  box.replaceChildren(s);
  $('op-legend').replaceChildren(...tl.ops.flatMap((name, k) => {
    const key = el('span', { class: 'key' });
    key.style.background = PALETTE[k % PALETTE.length];
    return [key, name];
  }));
}

function lineChart(box, series, unit) {
  const pts = series.flatMap((s) => s.points);
  if (!pts.length) return emptyChart(box, 160, 'no samples yet');
  const W = 400, H = 160, L = 48, R = 8, T = 8, B = 22;
  const xmax = Math.max(...pts.map((p) => p[0])) || 1;
  const ymax = Math.max(...pts.map((p) => p[1])) * 1.1 || 1;
  const x = (v) => L + (W - L - R) * (v / xmax), y = (v) => T + (H - T - B) * (1 - v / ymax);
  const s = svg('svg', { viewBox: `0 0 ${W} ${H}`, height: H });
  for (const t of ticks(ymax, 4)) {
    s.append(svg('line', { x1: L, x2: W - R, y1: y(t), y2: y(t), class: 'axis', 'stroke-dasharray': '2 3' }));
    s.append(svg('text', { x: L - 4, y: y(t) + 4, 'text-anchor': 'end' }, fmt(t, 2)));
  }
  for (const t of ticks(xmax, 5))
    s.append(svg('text', { x: x(t), y: H - 6, 'text-anchor': 'middle' }, `${+t.toFixed(1)} s`));
  series.forEach((ser, i) => {
    if (!ser.points.length) return;
    const d = ser.points.map((p, k) => `${k ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join('');
    s.append(svg('path', { d, class: 'line', stroke: PALETTE[i] }));
    if (ser.points.length < 40)
      for (const p of ser.points) s.append(svg('circle', { cx: x(p[0]), cy: y(p[1]), r: 2.5, fill: PALETTE[i] }));
    s.append(svg('text', { x: L + 6 + 120 * i, y: T + 10, fill: PALETTE[i] }, ser.name));
  });
  s.append(svg('text', { x: W - R, y: T + 10, 'text-anchor': 'end' }, unit));
  box.replaceChildren(s);
}

// Rows/s and MB/s of the partitions done, in time buckets (from the report's partitions: live
// from the first partition done, where the log's periodic samples come every few seconds).
function partitionRates(rep) {
  const done = (rep.partitions || []).filter((p) => p.state === 'done' && p.wall_s > 0);
  if (!done.length) return [[], []];
  const end = Math.max(rep.wall_s, ...done.map((p) => p.start_s + p.wall_s));
  const n = Math.min(40, Math.max(4, done.length)), w = end / n;
  const rows = new Array(n).fill(0), bytes = new Array(n).fill(0);
  for (const p of done) { // spread each partition's work over its wall time
    for (let b = 0; b < n; b++) {
      const lo = Math.max(b * w, p.start_s), hi = Math.min((b + 1) * w, p.start_s + p.wall_s);
      if (hi <= lo) continue;
      rows[b] += p.rows_in * (hi - lo) / p.wall_s;
      bytes[b] += p.bytes_in * (hi - lo) / p.wall_s;
    }
  }
  return [rows.map((r, b) => [(b + 0.5) * w, r / w / 1000]), bytes.map((v, b) => [(b + 0.5) * w, v / w / 1e6])];
}

function renderThroughput(rep) {
  const [rows, mb] = partitionRates(rep);
  lineChart($('throughput'), [
    { name: 'k rows/s', points: rows },
    { name: 'MB/s', points: mb },
  ], '');
}

function renderMemory(tl) {
  lineChart($('memory'), [{ name: 'RSS MB', points: tl ? tl.rss : [] }], 'MB');
}

// ---- op table and findings

function renderOps(rep) {
  const rows = (rep.ops || []).map((o) => {
    const share = el('span', { class: 'share' });
    share.style.width = `${Math.round(80 * o.share)}px`;
    const shareCell = el('td', {}, share, `${(100 * o.share).toFixed(1)}%`);
    const td = (v) => el('td', { text: v });
    return el('tr', { 'data-op': o.name }, td(o.index), td(o.name), td(fmt(o.runs)), td(fmt(o.total_s, 3)),
      shareCell, td(fmt(o.rows_in)), td(fmt(o.rows_out)), td(fmt(o.selectivity, 3)), td(fmt(o.rows_per_s)),
      td(fmt(o.mb_per_s, 2)));
  });
  $('ops').tBodies[0].replaceChildren(...rows);
}

function renderFindings(rep) {
  const f = rep.findings || [];
  $('findings').replaceChildren(...(f.length ? f.map((x) =>
    el('li', { 'data-kind': x.kind }, el('b', { text: x.kind }), ': ', x.message, ' ',
      el('code', { text: x.config_key }))) : [el('li', { text: 'none: nothing stands out (yet)' })]));
}

function fillOpFilter(rep) {
  const sel = $('f-op');
  const have = new Set([...sel.options].map((o) => o.value));
  for (const o of rep.ops || []) if (!have.has(o.name)) sel.append(el('option', { value: o.name, text: o.name }));
}

// ---- events

function filters() {
  return {
    type: $('f-type').value, op: $('f-op').value, level: $('f-level').value,
    partition: $('f-partition').value === '' ? null : Number($('f-partition').value),
    text: $('f-text').value.toLowerCase(),
  };
}

function matches(ev, f) {
  if (f.type && ev.event_type !== f.type) return false;
  if (f.op && ev.operation_name !== f.op) return false;
  if (f.partition !== null && ev.partition_id !== f.partition) return false;
  if (f.level && (LEVELS[ev.level] ?? 0) < LEVELS[f.level]) return false;
  if (f.text && !JSON.stringify(ev).toLowerCase().includes(f.text)) return false;
  return true;
}

function eventItem(ev) {
  const t = new Date(ev.timestamp * 1000).toISOString().slice(11, 23);
  const where = [ev.partition_id !== undefined ? `p${ev.partition_id}` : '',
    ev.operation_name || '', ev.worker !== undefined ? `w${ev.worker}` : ''].filter(Boolean).join(' ');
  const li = el('li', { class: ev.level, 'data-type': ev.event_type, 'data-id': ev.event_id,
    'data-op': ev.operation_name || '' },
    el('span', { class: 't', text: t }), el('span', { class: 'ty', text: ev.event_type }),
    `${where ? where + ': ' : ''}${ev.message || ''}` + (ev.error_message ? ` - ${ev.error_message}` : ''));
  li.addEventListener('click', () => {
    const open = li.querySelector('pre');
    if (open) { open.remove(); return; }
    const detail = { ...ev };
    const trace = detail.stack_trace;
    delete detail.stack_trace;
    li.append(el('pre', { text: JSON.stringify(detail, null, 2) + (trace ? `\n\nstack trace:\n${trace}` : '') }));
  });
  return li;
}

function renderEvents() {
  const f = filters();
  const shown = ui.events.filter((e) => matches(e, f));
  const list = $('events');
  list.replaceChildren(...shown.slice(-1000).reverse().map(eventItem));
  $('event-count').textContent = `${shown.length} shown of ${ui.events.length} received`;
  list.dataset.count = shown.length;
}

function addEvent(ev) {
  if (ui.seen.has(ev.event_id)) return;
  ui.seen.add(ev.event_id);
  ui.events.push(ev);
  if (ui.events.length > MAX_EVENTS) ui.seen.delete(ui.events.shift().event_id);
  const sel = $('f-type');
  if (![...sel.options].some((o) => o.value === ev.event_type))
    sel.append(el('option', { value: ev.event_type, text: ev.event_type }));
  if (ev.event_type === 'warning' && ev.metadata && ev.metadata.alert) addAlert(ev);
}

function addAlert(ev) {
  $('alerts').hidden = false;
  const t = new Date(ev.timestamp * 1000).toISOString().slice(11, 19);
  $('alert-list').prepend(el('li', { 'data-rule': ev.metadata.alert }, el('b', { text: ev.metadata.alert }),
    ` at ${t}: ${ev.message}`));
}

let renderPending = false;
function eventsChanged() {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => { renderPending = false; renderEvents(); });
}

function follow() {
  if (ui.source) ui.source.close();
  if (!ui.job) return;
  const src = new EventSource(url('/api/events/stream', { backlog: 2000 }));
  ui.source = src;
  src.onopen = () => { $('live').textContent = 'live'; $('live').classList.add('on'); };
  src.onerror = () => { $('live').textContent = 'reconnecting'; $('live').classList.remove('on'); };
  src.onmessage = (m) => {
    try { addEvent(JSON.parse(m.data)); } catch (e) { return; }
    eventsChanged();
    scheduleRefresh(500);
  };
}

async function switchJob() {
  ui.job = $('job').value;
  ui.events = []; ui.seen = new Set();
  $('alert-list').replaceChildren();
  $('alerts').hidden = true;
  renderEvents();
  await refresh();
  follow();
}

async function main() {
  $('filters').addEventListener('input', renderEvents);
  $('filters').addEventListener('submit', (e) => e.preventDefault());
  $('job').addEventListener('change', switchJob);
  await loadJobs();
  await refresh();
  follow();
  // A finished job sends no more events; a running one is refreshed by its events, and
  // this catches a stream that is down. New jobs appear in the list too.
  setInterval(() => { if (!ui.status || ui.status.state === 'running') scheduleRefresh(0); }, 3000);
  setInterval(async () => { if (!ui.job) { await loadJobs(); if (ui.job) switchJob(); } }, 500);
}

main();
