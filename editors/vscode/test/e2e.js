#!/usr/bin/env node
// The extension in a real VS Code: code-server (VS Code 1.100.3) in headless Chromium, driven
// with the keyboard as a person would (Quick Open, Problems panel, Go to Line, Ctrl+.).
//
//   node test/e2e.js --vsix FILE --deployspec BIN --workspace DIR --file REL
//                    [--screenshot PNG] [--quick-fix TITLE] [--timeout SEC] [--keep]
//
// Checks, each printed as `ok - …` or `not ok - …`, then `N passed, N failed`:
//   1. the .vsix installs, and the server that runs is the binary bundled in it;
//   2. the Problems panel lists exactly what `deployspec check` reports (codes, lines, and
//      columns in UTF-16 + 1 as VS Code shows them);
//   3. a `deployspec.rules` change in the user settings reaches the running server (DP020 off,
//      then on again), without a restart;
//   4. with --quick-fix: the Quick Fix menu on the DP001 offers TITLE; applying it and saving
//      clears the DP001, and `deployspec check` on the saved file reports no DP001;
//   5. "deployspec: Restart server" starts a new server; a wrong `deployspec.server.path` gives
//      an error that names the setting.
// Exit 0 when everything passed. The workspace is copied; nothing outside the run directory
// (a fresh temp dir, deleted at the end) is written, and every process started is ended.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const http = require('http');
const { spawn, spawnSync } = require('child_process');

const TOOLS = process.env.DEPLOYSPEC_TOOLS || path.join(os.homedir(), '.cache/deployspec/editor-tools');
const CODE_SERVER = path.join(TOOLS, 'code-server/node_modules/.bin/code-server');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

function parseArgs(argv) {
  const o = { timeout: 480 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    const take = () => { i++; if (v === undefined) throw new Error(`${k} needs a value`); return v; };
    if (k === '--vsix') o.vsix = path.resolve(take());
    else if (k === '--deployspec') o.deployspec = path.resolve(take());
    else if (k === '--workspace') o.workspace = path.resolve(take());
    else if (k === '--file') o.file = take();
    else if (k === '--screenshot') o.screenshot = path.resolve(take());
    else if (k === '--quick-fix') o.quickFix = take();
    else if (k === '--timeout') o.timeout = Number(take());
    else if (k === '--keep') o.keep = true;
    else throw new Error(`unknown argument ${k}`);
  }
  for (const k of ['vsix', 'deployspec', 'workspace', 'file']) if (!o[k]) throw new Error(`--${k} is required`);
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const t0 = Date.now();
const note = (m) => process.stderr.write(`[vscode-e2e +${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) passed++; else failed++;
  process.stdout.write(`${ok ? 'ok' : 'not ok'} - ${name}${!ok && detail ? `\n  ${String(detail).split('\n').join('\n  ')}` : ''}\n`);
  return ok;
}

// ------------------------------------------------------------------ processes and cleanup
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployspec-vscode-e2e.'));
const groups = [];
let browser = null;
let bserver = null;

function pidsNaming(dir) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try { if (fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(dir)) out.push(Number(d)); } catch { /* gone */ }
  }
  return out;
}

async function cleanup() {
  const bounded = (p) => Promise.race([p.catch(() => {}), sleep(3000)]);
  if (browser) await bounded(browser.close());
  if (bserver) await bounded(bserver.close());
  for (const sig of ['SIGTERM', 'SIGKILL']) {
    for (const g of groups) { try { process.kill(-g, sig); } catch { /* gone */ } }
    // Chromium's crashpad handler and the server leave the groups; they all name runDir.
    for (const p of pidsNaming(runDir)) { try { process.kill(p, sig); } catch { /* gone */ } }
    await sleep(sig === 'SIGTERM' ? 1500 : 300);
  }
  if (opts.keep) note(`kept ${runDir} (code-server.log, user-data/logs)`);
  else fs.rmSync(runDir, { recursive: true, force: true });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

function healthy(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => { res.resume(); resolve(res.statusCode === 200); });
    req.on('error', () => resolve(false));
    req.on('timeout', () => { req.destroy(); resolve(false); });
  });
}

// -------------------------------------------------------------------------- expectations
/** What `deployspec check` reports for the file, as VS Code shows it: 1-based line, and the
 *  column in UTF-16 code units + 1 (check prints 1-based character columns). */
function expected(ws, rel) {
  const r = spawnSync(opts.deployspec, ['check', '--format', 'json', rel], { cwd: ws, encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`deployspec check failed (${r.status}): ${r.stderr}`);
  const lines = fs.readFileSync(path.join(ws, rel), 'utf8').split('\n');
  return JSON.parse(r.stdout).map((d) => {
    const { line, column } = d.range.start;
    const before = [...lines[line - 1]].slice(0, column - 1).join('');
    return { code: d.code, line, col: before.length + 1 };
  });
}

const key = (p) => `${p.code}@${p.line}:${p.col}`;
const sameSet = (a, b) => JSON.stringify(a.map(key).sort()) === JSON.stringify(b.map(key).sort());

// --------------------------------------------------------------------- the page (browser)
/** Rows of the Problems panel as rendered, with the file each belongs to (runs in the page).
 *  The fixture has fewer problems than the panel shows rows: no scrolling of the virtualised
 *  list is needed. */
function problemRows() {
  const panel = document.querySelector('.markers-panel');
  if (!panel) return null;
  let file = null;
  const out = [];
  for (const r of panel.querySelectorAll('.monaco-list-row')) {
    if (!r.querySelector('.marker-message-details-container')) {
      if (r.getAttribute('aria-level') === '1') file = (r.querySelector('.label-name') || {}).textContent || null;
      continue;
    }
    const code = r.querySelector('.marker-code');
    const ln = r.querySelector('.marker-line');
    const m = ln ? ln.textContent.match(/Ln (\d+), Col (\d+)/) : null;
    out.push({
      file,
      code: code ? code.textContent.replace(/[()]/g, '').trim() : null,
      line: m ? Number(m[1]) : null,
      col: m ? Number(m[2]) : null,
      message: [...r.querySelectorAll('.marker-message')].map((e) => e.textContent).join(' '),
    });
  }
  return out;
}

let specName = '';
const othersSeen = new Set();
/** The problems listed for the spec under test (settings.json may list its own). */
async function problems(page) {
  const rows = (await page.evaluate(problemRows)) || [];
  const other = rows.filter((r) => r.file !== specName);
  const o = JSON.stringify(other);
  if (other.length && !othersSeen.has(o)) { othersSeen.add(o); note(`problems in other files: ${o}`); }
  return rows.filter((r) => r.file === specName);
}

/** Waits until the Problems panel satisfies `pred` and stays so for a moment; returns the rows. */
async function waitProblems(page, pred, ms) {
  const until = Date.now() + ms;
  let rows = [];
  let since = null;
  for (;;) {
    rows = await problems(page);
    if (pred(rows)) {
      since = since ?? Date.now();
      if (Date.now() - since > 1200) return { rows, ok: true };
    } else {
      since = null;
    }
    if (Date.now() > until) return { rows, ok: false };
    await sleep(250);
  }
}

async function gotoLine(page, line, col) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 10000 });
  await page.keyboard.type(`${line}:${col}`);
  await page.keyboard.press('Enter');
  await sleep(300);
}

/** Opens the Quick Fix menu (Ctrl+.) at line:col and returns the titles it shows. */
async function quickFixMenu(page, line, col) {
  await gotoLine(page, line, col);
  await page.keyboard.press('Control+.');
  await page.waitForFunction(() => {
    const w = document.querySelector('.action-widget');
    if (w && w.querySelector('.monaco-list-row.action')) return true;
    return [...document.querySelectorAll('.monaco-editor-overlaymessage')].some((e) => /no code actions/i.test(e.textContent || '')) || null;
  }, null, { timeout: 15000 }).catch(() => null);
  await sleep(500); // the menu fills in as providers answer
  return page.evaluate(() => [...document.querySelectorAll('.action-widget .monaco-list-row.action')]
    .map((r) => (r.querySelector('.title') || r).textContent));
}

/** Opens a workspace file with Quick Open (Ctrl+P), as a person would. */
async function openFile(page, rel) {
  const name = path.basename(rel);
  for (let attempt = 0; attempt < 4; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 10000 });
    await page.keyboard.type(rel);
    const listed = await page.waitForFunction((n) => [...document.querySelectorAll('.quick-input-widget .monaco-list-row')]
      .some((r) => (r.getAttribute('aria-label') || '').startsWith(n)) || null, name, { timeout: 8000 }).catch(() => null);
    if (!listed) { await sleep(1000); continue; }
    await page.keyboard.press('Enter');
    const ok = await page.waitForFunction((n) => (document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') || '').startsWith(n) || null,
      name, { timeout: 8000 }).then(() => true, () => false);
    if (ok) return true;
  }
  return false;
}

/** Replaces the user settings through "Preferences: Open User Settings (JSON)" and saves them.
 *  (code-server does not notice a settings.json written behind its back.) */
async function setUserSettings(page, file, settings) {
  await runCommand(page, 'Preferences: Open User Settings (JSON)');
  await page.waitForFunction(() => (document.querySelector('.tabs-container .tab.active')?.getAttribute('aria-label') || '').startsWith('settings.json') || null,
    null, { timeout: 10000 });
  await page.waitForSelector('.part.editor .monaco-editor.focused', { timeout: 10000 });
  await sleep(300);
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  // typed in one go; baseSettings turn off the editor's own closing brackets and indentation
  await page.keyboard.insertText(JSON.stringify(settings, null, 2));
  await page.keyboard.press('Control+S');
  await page.waitForFunction(() => !document.querySelector('.tabs-container .tab.active.dirty') || null, null, { timeout: 10000 });
  const saved = fs.readFileSync(file, 'utf8');
  let same = false;
  try { same = JSON.stringify(JSON.parse(saved)) === JSON.stringify(settings); } catch { /* not JSON */ }
  if (!same) throw new Error(`settings.json was not replaced; it holds:\n${saved}`);
}

// -------------------------------------------------------------------------------- main
async function main() {
  for (const p of [CODE_SERVER, CHROMIUM, opts.vsix, opts.deployspec]) {
    if (!fs.existsSync(p)) throw new Error(`missing ${p}: run editors/setup.sh and editors/vscode's \`npm run package\``);
  }
  const { chromium } = require('playwright-core');
  const ws = path.join(runDir, 'workspace');
  fs.cpSync(opts.workspace, ws, { recursive: true });
  const file = path.join(ws, opts.file);
  specName = path.basename(file);
  const ud = path.join(runDir, 'user-data');
  const exts = path.join(runDir, 'extensions');
  const tmp = path.join(runDir, 'tmp');
  for (const d of [path.join(ud, 'User'), exts, tmp, path.join(runDir, 'xdg')]) fs.mkdirSync(d, { recursive: true });
  const baseSettings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'security.workspace.trust.enabled': false,
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'git.enabled': false,
    'markdown.validate.enabled': false,
    'window.restoreWindows': 'none',
    'files.autoSave': 'off',
    'problems.defaultViewMode': 'tree',
    'editor.fontSize': 13,
    // The settings are replaced by typing them (setUserSettings): no automatic brackets or indent.
    'editor.autoClosingBrackets': 'never',
    'editor.autoClosingQuotes': 'never',
    'editor.autoIndent': 'none',
  };
  const settingsFile = path.join(ud, 'User', 'settings.json');
  fs.writeFileSync(settingsFile, JSON.stringify(baseSettings, null, 2));
  // PATH without any `deployspec`, so that only the bundled binary can be the server.
  const PATH = (process.env.PATH || '').split(':').filter((d) => d && !fs.existsSync(path.join(d, 'deployspec'))).join(':');
  const env = {
    ...process.env, PATH, TMPDIR: tmp, DEPLOYSPEC_LOG: process.env.DEPLOYSPEC_LOG || 'info',
    XDG_CONFIG_HOME: path.join(runDir, 'xdg'), XDG_DATA_HOME: path.join(runDir, 'xdg'), XDG_CACHE_HOME: path.join(runDir, 'xdg'),
  };
  const csConfig = path.join(runDir, 'code-server.yaml');
  fs.writeFileSync(csConfig, 'auth: none\ncert: false\n');
  const common = ['--config', csConfig, '--user-data-dir', ud, '--extensions-dir', exts];

  // 1. install the .vsix
  // ~1 s on an idle machine; over 60 s was seen on a loaded one
  const inst = spawnSync(CODE_SERVER, [...common, '--install-extension', opts.vsix, '--force'], { env, encoding: 'utf8', timeout: 240000 });
  const installed = (() => { try { return JSON.parse(fs.readFileSync(path.join(exts, 'extensions.json'), 'utf8')); } catch { return []; } })();
  const ours = installed.find((e) => e.identifier.id === 'deployspec.deployspec');
  if (!check('the .vsix installs', inst.status === 0 && ours,
    `exit ${inst.status}${inst.signal ? ` (${inst.signal}${inst.error ? `: ${inst.error.message}` : ''})` : ''}\n${inst.stdout}${inst.stderr}`)) return;
  const bundled = path.join(exts, ours.relativeLocation, 'server', 'deployspec');

  // code-server and Chromium, each in its own process group
  const port = await freePort();
  const log = fs.openSync(path.join(runDir, 'code-server.log'), 'a');
  const cs = spawn(CODE_SERVER, [...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
    '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', '--ignore-last-opened', ws],
  { env, detached: true, stdio: ['ignore', log, log] });
  groups.push(cs.pid);
  const base = `http://127.0.0.1:${port}`;
  for (let until = Date.now() + 30000; !(await healthy(`${base}/healthz`));) {
    if (Date.now() > until || cs.exitCode !== null) throw new Error(`code-server did not start; see its log:\n${fs.readFileSync(path.join(runDir, 'code-server.log'), 'utf8').slice(-2000)}`);
    await sleep(200);
  }
  bserver = await chromium.launchServer({
    executablePath: CHROMIUM, headless: true, timeout: 30000, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    env: { ...env },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--disable-extensions', '--no-default-browser-check'],
  });
  groups.push(bserver.process().pid);
  browser = await chromium.connect(bserver.wsEndpoint(), { timeout: 30000 });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 820 } })).newPage();
  page.setDefaultTimeout(15000);
  await page.goto(`${base}/?folder=${encodeURIComponent(ws)}`, { timeout: 30000 });
  await page.waitForSelector('.monaco-workbench .part.statusbar', { timeout: 60000 });
  await page.waitForSelector('.monaco-workbench .part.editor', { timeout: 30000 });
  note(`workbench loaded (code-server pid ${cs.pid})`);

  const rel = opts.file.split(path.sep).join('/');
  const opened = await openFile(page, rel);
  if (!check(`opens ${rel}`, opened)) return;
  await page.keyboard.press('Control+Shift+M');
  await page.waitForSelector('.markers-panel', { state: 'visible', timeout: 10000 });

  // 2. the Problems panel equals `deployspec check`
  const want = expected(ws, opts.file);
  const got = await waitProblems(page, (rows) => sameSet(rows, want), 90000);
  const serverPids = () => pidsNaming(runDir).filter((p) => { try { return fs.realpathSync(`/proc/${p}/exe`) === fs.realpathSync(bundled); } catch { return false; } });
  const server0 = serverPids();
  check('the server running is the binary bundled in the .vsix', server0.length === 1, `processes running ${bundled}: ${server0}`);
  check(`Problems panel lists what \`deployspec check\` reports (${want.map(key).join(', ')})`, got.ok,
    `Problems panel: ${got.rows.map(key).join(', ') || '(empty)'}`);
  check('a column after an emoji is counted in UTF-16 (as VS Code shows it)',
    want.some((w) => { const l = fs.readFileSync(file, 'utf8').split('\n')[w.line - 1]; return [...l].length !== l.length; }) && got.ok,
    'the fixture must have a finding on a line with a character outside the BMP');

  // 3. settings reach the running server
  if (want.some((w) => w.code === 'DP020')) {
    await setUserSettings(page, settingsFile, { ...baseSettings, 'deployspec.rules': { DP020: 'off' } });
    const off = await waitProblems(page, (rows) => sameSet(rows, want.filter((w) => w.code !== 'DP020')), 30000);
    check('"deployspec.rules": {"DP020": "off"} applies without a restart', off.ok && JSON.stringify(serverPids()) === JSON.stringify(server0),
      `${off.rows.map(key).join(', ')}; server pids before ${server0}, after ${serverPids()}`);
    await setUserSettings(page, settingsFile, baseSettings);
    const on = await waitProblems(page, (rows) => sameSet(rows, want), 30000);
    check('removing the setting brings DP020 back', on.ok, on.rows.map(key).join(', '));
    await openFile(page, rel);
  } else {
    check('the fixture has a DP020 for the settings check', false);
  }

  // 4. the Quick Fix menu on the DP001 (a separate step: needs the server's code actions)
  const dp001 = want.find((w) => w.code === 'DP001');
  if (opts.quickFix) {
    let titles = dp001 ? await quickFixMenu(page, dp001.line, dp001.col) : [];
    for (let attempt = 1; dp001 && titles.length === 0 && attempt <= 4; attempt++) {
      // Seen in CI runs (never when the editor checks ran alone): Ctrl+. opened nothing at all
      // — no menu and no "no code actions" message — after the settings round trip, as if the
      // editor had lost the keyboard focus. Reopen the file, click into its text, ask again, and
      // say so in the log.
      console.log(`# the Quick Fix menu did not open; refocusing the editor and asking again (${attempt})`);
      await page.keyboard.press('Escape');
      await openFile(page, rel);
      await page.click('.editor-instance .monaco-editor .view-lines').catch(() => {});
      await sleep(1000);
      titles = await quickFixMenu(page, dp001.line, dp001.col);
    }
    const pick = titles.filter((t) => t === opts.quickFix || t.includes(opts.quickFix));
    check(`Quick Fix menu on the DP001 offers "${opts.quickFix}"`, pick.length === 1, `menu: ${JSON.stringify(titles)}`);
    if (opts.screenshot) await page.screenshot({ path: opts.screenshot });
    if (pick.length === 1) {
      for (let i = 0; i <= titles.length; i++) {
        const focused = await page.evaluate(() => document.querySelector('.action-widget .monaco-list-row.action.focused .title')?.textContent || null);
        if (focused === pick[0]) break;
        await page.keyboard.press('ArrowDown');
        await sleep(80);
      }
      await page.keyboard.press('Enter');
      await page.waitForSelector('.action-widget', { state: 'hidden', timeout: 5000 }).catch(() => {});
      await page.keyboard.press('Control+S');
      const after = await waitProblems(page, (rows) => rows.length > 0 && !rows.some((r) => r.code === 'DP001'), 30000);
      check('applying it and saving clears the DP001 in the Problems panel', after.ok, after.rows.map(key).join(', '));
      const saved = fs.readFileSync(file, 'utf8');
      const r = spawnSync(opts.deployspec, ['check', opts.file], { cwd: ws, encoding: 'utf8' });
      check('`deployspec check` on the saved file reports no DP001', !/DP001/.test(r.stdout) && saved !== fs.readFileSync(path.join(opts.workspace, opts.file), 'utf8'),
        `exit ${r.status}\n${r.stdout}${r.stderr}`);
    }
  } else if (opts.screenshot) {
    await page.screenshot({ path: opts.screenshot });
  }

  // 5. the commands and the server setting
  await runCommand(page, 'deployspec: Restart server');
  const restarted = await waitFor(() => { const p = serverPids(); return p.length === 1 && !server0.includes(p[0]); }, 20000);
  const now = expected(ws, opts.file);
  const back = await waitProblems(page, (rows) => sameSet(rows, now), 30000);
  check('"deployspec: Restart server" starts a new server, which reports again', restarted && back.ok,
    `server pids ${server0} → ${serverPids()}; Problems panel: ${back.rows.map(key).join(', ')}`);
  await setUserSettings(page, settingsFile, { ...baseSettings, 'deployspec.server.path': '/nonexistent/deployspec' });
  const shown = await page.waitForFunction(() => [...document.querySelectorAll('.notifications-toasts .notification-list-item-message')]
    .map((e) => e.textContent).find((t) => t.includes('deployspec.server.path')) || null, null, { timeout: 20000 })
    .then((h) => h.jsonValue(), () => null);
  check('a "deployspec.server.path" that does not exist: an error that names the setting', !!shown && serverPids().length === 0,
    `notification: ${shown}; servers still running: ${serverPids()}`);
}

async function waitFor(pred, ms) {
  for (const until = Date.now() + ms; Date.now() < until; await sleep(250)) if (pred()) return true;
  return false;
}

/** Runs a command from the Command Palette (F1). */
async function runCommand(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await page.waitForSelector('.quick-input-widget', { state: 'visible', timeout: 10000 });
  await page.keyboard.type(title);
  await page.waitForFunction((c) => [...document.querySelectorAll('.quick-input-widget .monaco-list-row')]
    .some((r) => (r.getAttribute('aria-label') || '').startsWith(c)) || null, title, { timeout: 10000 });
  await page.keyboard.press('Enter');
}

const watchdog = setTimeout(() => {
  check(`finished within ${opts.timeout} s`, false);
  cleanup().then(() => { process.stdout.write(`${passed} passed, ${failed} failed\n`); process.exit(1); });
}, opts.timeout * 1000);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { cleanup().then(() => process.exit(1)); });

main().catch((e) => check('the run completes', false, e && e.stack ? e.stack : e))
  .then(async () => {
    clearTimeout(watchdog);
    await cleanup();
    note(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    process.stdout.write(`vscode: ${passed} passed, ${failed} failed\n`);
    process.exit(failed === 0 && passed > 0 ? 0 : 1);
  });
