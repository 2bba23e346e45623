// Opens a load-test HTML report in headless Debian chromium through client-js's playwright-core (the project's
// browser-test setup) and prints what the browser rendered as one JSON line. Used by HtmlReportBrowserTest.
// Usage: node open-report.mjs CLIENT_JS_DIR REPORT_HTML SCREENSHOT_PNG
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [clientJs, report, screenshot] = process.argv.slice(2);
const require = createRequire(join(clientJs, 'package.json'));
const { chromium } = require('playwright-core');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  timeout: 30_000,
});
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 1200 } });
  const errors = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(pathToFileURL(report).href);
  const seen = await page.evaluate(() => {
    const box = (el) => (el ? el.getBoundingClientRect() : { width: 0, height: 0 });
    const hist = document.querySelector('svg.histogram');
    return {
      title: document.title,
      svgs: document.querySelectorAll('svg').length,
      bars: document.querySelectorAll('svg.histogram rect.bar').length,
      polylines: document.querySelectorAll('svg.series polyline').length,
      summaryRows: document.querySelectorAll('table.summary tr').length,
      histogramWidth: box(hist).width,
      histogramHeight: box(hist).height,
      visibleBars: [...document.querySelectorAll('svg.histogram rect.bar')].filter((r) => r.getBoundingClientRect().height > 0).length,
    };
  });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(JSON.stringify({ ...seen, errors, requests }));
} finally {
  await browser.close();
}
