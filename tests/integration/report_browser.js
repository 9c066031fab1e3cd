'use strict';
// Open HTML reports in headless chromium over the DevTools protocol and describe what rendered.
//
// usage: node report_browser.js CHROMIUM ARTEFACT_DIR NAME=REPORT.html [NAME=REPORT.html …]
// Prints one JSON object: per report and per viewport (desktop, narrow) the DOM facts, every
// console message, exception, log entry and network request, and a header-click sort check.
// Screenshots go to ARTEFACT_DIR/NAME-desktop.png and NAME-narrow.png.

const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');
const cdp = require(path.join(__dirname, '..', '..', 'fixtures', 'chromium', '_cdp.js'));

const VIEWPORTS = [
  ['desktop', 1280, 900, false],
  ['narrow', 390, 844, true],
];

const FACTS = `(() => {
  const count = (selector) => document.querySelectorAll(selector).length;
  const nums = {};
  for (const e of document.querySelectorAll('[data-num]')) {
    (nums[e.dataset.num] = nums[e.dataset.num] || []).push(e.textContent);
  }
  const handlers = [];
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) if (/^on/i.test(a.name)) handlers.push(e.tagName + ' ' + a.name);
  }
  const urls = [];
  for (const e of document.querySelectorAll('[href], [src], [action], [formaction]')) {
    urls.push(e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action') || '');
  }
  for (const e of document.querySelectorAll('*')) {
    for (const a of e.attributes) if (a.name.endsWith(':href') || a.name === 'xlink:href') urls.push(a.value);
  }
  return {
    title: document.title,
    sections: Array.from(document.querySelectorAll('main > section')).map((s) => ({
      id: s.id, state: s.dataset.state, heading: s.querySelector('h2').textContent, text: s.innerText,
    })),
    nums,
    tags: {
      img: count('img'), iframe: count('iframe'), object: count('object'), embed: count('embed'),
      script: count('script'), svg: count('svg'), a: count('a'), style: count('style'),
      link: count('link'), meta_refresh: count('meta[http-equiv=refresh i]'),
    },
    handlers,
    urls,
    bodyText: document.body.innerText,
    csp: (document.querySelector('meta[http-equiv="Content-Security-Policy"]') || {}).content || null,
    scriptRan: document.querySelectorAll('th[tabindex="0"]').length > 0,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    height: document.documentElement.scrollHeight,
  };
})()`;

const SORT = `(() => {
  const table = document.querySelector('#retainers table.sortable');
  if (!table) return null;
  const header = table.tHead.rows[0].cells[0];
  const column = () => Array.from(table.tBodies[0].rows).map((r) => Number(r.cells[0].dataset.sort));
  const before = column();
  header.click();
  const first = column();
  const firstState = header.getAttribute('aria-sort');
  header.click();
  const second = column();
  return { before, first, firstState, second, secondState: header.getAttribute('aria-sort') };
})()`;

async function evaluate(page, expression) {
  const reply = await page.send('Runtime.evaluate', { expression, returnByValue: true });
  if (reply.exceptionDetails) throw new Error(`evaluate: ${JSON.stringify(reply.exceptionDetails)}`);
  return reply.result.value;
}

function loadEvent(page) {
  return new Promise((resolve) => {
    const off = page.on('Page.loadEventFired', () => {
      off();
      resolve();
    });
  });
}

async function inspect(page, events, url, name, artefacts) {
  const result = {};
  for (const [viewport, width, height, mobile] of VIEWPORTS) {
    await page.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile });
    const loaded = loadEvent(page);
    await page.send('Page.navigate', { url });
    await loaded;
    await cdp.sleep(100); // let late console messages (CSP reports) arrive
    const facts = await evaluate(page, FACTS);
    const shot = await page.send('Page.captureScreenshot', {
      format: 'png',
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width, height: Math.min(facts.height, 8000), scale: 1 },
    });
    fs.writeFileSync(path.join(artefacts, `${name}-${viewport}.png`), Buffer.from(shot.data, 'base64'));
    result[viewport] = facts;
  }
  result.sort = await evaluate(page, SORT);
  result.events = { ...events };
  return result;
}

async function main() {
  const [executable, artefacts, ...reports] = process.argv.slice(2);
  fs.mkdirSync(artefacts, { recursive: true });
  const { browser } = cdp.launch(executable);
  const out = {};
  try {
    const page = await cdp.attachToPage(browser);
    let events;
    const reset = () => {
      events = { console: [], exceptions: [], logs: [], requests: [] };
    };
    reset();
    page.on('Runtime.consoleAPICalled', (p) =>
      events.console.push({ type: p.type, text: p.args.map((a) => a.value ?? a.description).join(' ') }),
    );
    page.on('Runtime.exceptionThrown', (p) => events.exceptions.push(p.exceptionDetails.text));
    page.on('Log.entryAdded', (p) =>
      events.logs.push({ level: p.entry.level, source: p.entry.source, text: p.entry.text, url: p.entry.url || '' }),
    );
    page.on('Network.requestWillBeSent', (p) => events.requests.push({ url: p.request.url, type: p.type || '' }));
    for (const domain of ['Runtime', 'Log', 'Network', 'Page']) await page.send(`${domain}.enable`);
    for (const spec of reports) {
      const [name, file] = spec.split(/=(.*)/s);
      reset();
      const url = pathToFileURL(path.resolve(file)).href;
      out[name] = { url, ...(await inspect(page, events, url, name, artefacts)) };
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => {
  process.stderr.write(`${err.stack || err}\n`);
  process.exit(1);
});
