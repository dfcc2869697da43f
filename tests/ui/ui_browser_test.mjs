// Browser test of Ember's web UI: headless Chromium (Debian's) driven by playwright-core.
//   node ui_browser_test.mjs <base url> <output dir>
// Opens the Jobs page of a running application, checks that it lists the jobs (the
// running one among them), opens a finished job's page and its DAG, then a stage page,
// and saves a screenshot of each under <output dir>. Fails (exit 1) on a page error, a
// failed request, an HTTP error or a missing element.
import { chromium } from 'playwright-core';

const [base, outDir] = process.argv.slice(2);
if (!base || !outDir) {
  console.error('usage: node ui_browser_test.mjs <base url> <output dir>');
  process.exit(2);
}

const problems = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });

  async function expectVisible(selector, what) {
    const n = await page.locator(selector).count();
    if (n === 0) throw new Error(`missing element: ${what} (${selector}) on ${page.url()}`);
    await page.locator(selector).first().waitFor({ state: 'visible', timeout: 5000 });
  }

  // Jobs page: the running job and the finished ones.
  await page.goto(`${base}/jobs/`, { waitUntil: 'load' });
  await expectVisible('#active-jobs', 'active jobs table');
  await expectVisible('#active-jobs a.job-link', 'the running job');
  await expectVisible('#completed-jobs a.job-link', 'a completed job');
  await expectVisible('#failed-jobs a.job-link', 'the failed job');
  await expectVisible('.progress', 'progress bars');
  const jobsText = await page.locator('main').innerText();
  for (const want of ['collect at', 'count at']) {
    if (!jobsText.includes(want)) throw new Error(`the Jobs page does not list "${want}"`);
  }
  await page.screenshot({ path: `${outDir}/jobs.png`, fullPage: true });

  // The shuffle job (collect) and its DAG.
  await page.locator('#completed-jobs a.job-link', { hasText: 'collect at' }).first().click();
  await page.waitForLoadState('load');
  await expectVisible('svg#dag', 'the DAG');
  const boxes = await page.locator('svg#dag g.stage-box').count();
  if (boxes !== 2) throw new Error(`the DAG has ${boxes} stage boxes, expected 2`);
  await expectVisible('svg#dag line.shuffle-edge', 'the shuffle edge');
  const ops = await page.locator('svg#dag text.rdd-op').allTextContents();
  if (!ops.some((t) => t.includes('reduceByKey'))) throw new Error(`DAG operations: ${ops}`);
  await page.screenshot({ path: `${outDir}/job_dag.png`, fullPage: true });

  // A stage of it, from the DAG box.
  await page.locator('svg#dag g.stage-box a').last().click();
  await page.waitForLoadState('load');
  await expectVisible('#summary-metrics', 'summary quantiles');
  await expectVisible('svg#timeline rect.task-bar', 'task timeline');
  await expectVisible('#tasks tbody tr', 'task rows');
  await page.screenshot({ path: `${outDir}/stage.png`, fullPage: true });

  // The other tabs render.
  for (const tab of ['stages', 'storage', 'executors', 'environment', 'sql']) {
    await page.click(`#tab-${tab}`);
    await page.waitForLoadState('load');
    await expectVisible('table.ui', `the ${tab} table`);
  }
  await page.screenshot({ path: `${outDir}/executors_or_last_tab.png`, fullPage: true });
} catch (e) {
  problems.push(String(e.message || e));
} finally {
  await browser.close();
}
if (problems.length) {
  console.error('FAIL: ui_browser_test\n  ' + problems.join('\n  '));
  process.exit(1);
}
console.log(`PASS: ui_browser_test (screenshots in ${outDir})`);
