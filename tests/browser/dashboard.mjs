// End-to-end test of the zest dashboard in Debian's chromium (playwright-core, no browser
// download). Usage: node dashboard.mjs URL PARTITIONS READY_FILE SHOTS_DIR
// Opens URL (a `zest serve` on a work dir whose job has not started yet), touches READY_FILE so
// the caller starts a slowed job, then watches the page while the job runs: partitions move
// from pending to done, the event list grows live; then filters events and checks the
// timeline, op table and findings. Screenshots go to SHOTS_DIR. Prints one line per check,
// "ok<TAB>name" or "not ok<TAB>name<TAB>detail", for the calling TAP script; exits 1 when a
// check failed.
import { writeFileSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [url, partsArg, readyFile, shots] = process.argv.slice(2);
const PARTS = Number(partsArg);
let failed = 0;
function check(name, ok, detail) {
  if (!ok) failed++;
  console.log(ok ? `ok\t${name}` : `not ok\t${name}\t${detail ?? ''}`);
}

mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const errors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1700 } });
  page.on('pageerror', (e) => errors.push(String(e)));
  // A 404 while the job's log holds no run yet is the API answering as documented; the
  // browser logs it as a failed resource, not a script error.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource: .* 404/.test(m.text())) errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector('#error:not([hidden])', { timeout: 15000 });
  check('before the job: the page says no job yet', /no job yet/.test(await page.textContent('#error')));
  writeFileSync(readyFile, 'ready\n');

  // The job appears; its partitions start pending.
  const cells = '#grid .cells[data-row=partition] .cell';
  await page.waitForFunction((n) => document.querySelectorAll('#grid .cells[data-row=partition] .cell').length === n,
    PARTS, { timeout: 30000 });
  const count = (state) => page.$$eval(`${cells}[data-state=${state}]`, (e) => e.length);
  const events = () => page.$eval('#events', (e) => Number(e.dataset.count || 0));
  const first = { pending: await count('pending'), done: await count('done') };
  check(`the grid shows ${PARTS} partitions, some pending at first`, first.pending > 0 && first.done < PARTS,
    JSON.stringify(first));

  // Sample while it runs: partial progress and a growing event list, seen live.
  const samples = [];
  let shotRunning = false;
  const deadline = Date.now() + 90000;
  for (;;) {
    const s = { t: Date.now(), done: await count('done'), pending: await count('pending'), events: await events(),
      state: await page.getAttribute('#state', 'data-state') };
    samples.push(s);
    if (!shotRunning && s.done > 0 && s.done < PARTS) {
      await page.screenshot({ path: `${shots}/dashboard-running.png`, fullPage: true });
      shotRunning = true;
    }
    if (s.state === 'complete' || Date.now() > deadline) break;
    await page.waitForTimeout(300);
  }
  const last = samples[samples.length - 1];
  check('the job completes on the page (state badge)', last.state === 'complete', JSON.stringify(last));
  check('partial progress was seen live (0 < done < all)', samples.some((s) => s.done > 0 && s.done < PARTS),
    JSON.stringify(samples.map((s) => s.done)));
  await page.waitForFunction((n) => document.querySelectorAll('#grid .cells[data-row=partition] .cell[data-state=done]').length === n,
    PARTS, { timeout: 10000 }).catch(() => {});
  check('every partition ends done', (await count('done')) === PARTS, `done ${await count('done')}`);
  const growth = samples.filter((s, i) => i && s.events > samples[i - 1].events).length;
  check('the event list grew live (at least 3 increases while running)', growth >= 3,
    JSON.stringify(samples.map((s) => s.events)));
  check('the header shows rows/s and partitions', /\d/.test(await page.textContent('#rows-s')) &&
    (await page.textContent('#parts')).trim() === `${PARTS} / ${PARTS}`, await page.textContent('#parts'));
  await page.waitForTimeout(800);
  await page.screenshot({ path: `${shots}/dashboard-complete.png`, fullPage: true });

  // Timeline, retry marks, op table, findings.
  const attempts = await page.$$eval('#gantt rect.attempt', (e) => e.length);
  check(`the timeline has a bar per attempt (>= ${PARTS + 1} with the retry)`, attempts >= PARTS + 1, `${attempts}`);
  check('the failed attempt is marked on the timeline', (await page.$$('#gantt rect.attempt.failed')).length >= 1);
  const ops = await page.$$eval('#ops tbody tr', (r) => r.map((x) => x.dataset.op));
  check('the op table lists both ops', JSON.stringify(ops) === '["whitespace_normalization_mapper","text_length_filter"]',
    JSON.stringify(ops));
  const kinds = await page.$$eval('#findings li[data-kind]', (l) => l.map((x) => x.dataset.kind));
  check('findings name the dominant op', kinds.includes('dominant_op'), JSON.stringify(kinds));

  // Alerts raised by the job's monitoring.alerts rules.
  const rules = await page.$$eval('#alerts:not([hidden]) li[data-rule]', (l) => l.map((x) => x.dataset.rule).sort());
  check('the alerts panel shows the error_rate and rss_mb alerts', JSON.stringify(rules) === '["error_rate","rss_mb"]',
    JSON.stringify(rules));

  // Filters.
  const shown = () => page.$$eval('#events li', (l) => l.map((x) => x.dataset.type));
  await page.selectOption('#f-type', 'partition_complete');
  let types = await shown();
  check(`type filter: ${PARTS} partition_complete events and nothing else`,
    types.length === PARTS && types.every((t) => t === 'partition_complete'), JSON.stringify(types));
  await page.fill('#f-partition', '3');
  types = await shown();
  check('type + partition filter: one event', types.length === 1, JSON.stringify(types));
  await page.screenshot({ path: `${shots}/dashboard-filtered.png`, fullPage: true });
  await page.selectOption('#f-type', '');
  await page.fill('#f-partition', '');
  await page.selectOption('#f-level', 'ERROR');
  types = await shown();
  check('level filter ERROR: only the injected failure\'s error events',
    types.length >= 1 && types.every((t) => t.endsWith('_error')), JSON.stringify(types));
  await page.click('#events li');
  const detail = await page.textContent('#events li pre');
  check('an error event opens to its details', /injected fault/.test(detail), detail.slice(0, 200));
  await page.selectOption('#f-level', '');
  await page.selectOption('#f-op', 'text_length_filter');
  const opOnly = await page.$$eval('#events li', (l) => l.map((x) => x.dataset.op));
  check('op filter: only text_length_filter\'s events', opOnly.length > 0 &&
    opOnly.every((o) => o === 'text_length_filter'), JSON.stringify(opOnly.slice(0, 5)));
  check('no script errors on the page', errors.length === 0, errors.join(' | '));
} catch (e) {
  check('the browser scenario ran to its end', false, String(e && e.stack ? e.stack : e).split('\n').slice(0, 3).join(' '));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
