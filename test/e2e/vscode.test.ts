import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserMissing, launch } from '../support/browser';
import { startCodeServer, type CodeServer } from '../support/codeServer';
import { labIsRequired, requireLab, type LabFacts } from '../support/lab';
import { repoRoot } from '../support/manifest';
import { totp } from '../support/totp';

/**
 * HPC Geo in a real VS Code (code-server) in headless Chromium, against the lab, done the way a
 * user does it: through the UI. Each step saves a screenshot in test-results/e2e/; the assertions
 * are on what is on screen.
 */
const SHOTS = join(repoRoot, 'test-results', 'e2e');

describe('HPC Geo in VS Code, end to end', function () {
  this.timeout(10 * 60_000);
  let lab: LabFacts;
  let vscode: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;

  before(async function () {
    lab = requireLab(this);
    const missing = browserMissing();
    if (missing) {
      if (labIsRequired()) throw new Error(missing);
      console.log(`      skipped: ${missing}`);
      this.skip();
    }
    mkdirSync(SHOTS, { recursive: true });
    vscode = await startCodeServer(lab, 18000 + (process.pid % 500));
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    await page.goto(vscode.url);
    await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  });

  after(async () => {
    await browser?.close();
    vscode?.stop();
  });

  let shot = 0;
  const screenshot = (name: string) => page.screenshot({ path: join(SHOTS, `${String(++shot).padStart(2, '0')}-${name}.png`) });

  async function command(title: string): Promise<void> {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await page.keyboard.press('Enter');
  }

  /** Picks the quick-pick item whose label is exactly `label` (or matches a regex). */
  async function pick(label: string | RegExp): Promise<void> {
    const name = typeof label === 'string' ? new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : label;
    const row = page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: name }) }).first();
    await row.waitFor({ timeout: 60_000 });
    await row.click();
  }

  async function type(text: string): Promise<void> {
    const input = page.locator('.quick-input-widget:visible input');
    await input.waitFor({ timeout: 60_000 });
    await input.fill(text);
    await page.keyboard.press('Enter');
  }

  async function dialogButton(text: string): Promise<void> {
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: text }).first().click({ timeout: 60_000 });
  }

  const statusItem = (name: string) => page.locator('.statusbar-item', { hasText: name });
  const jobRow = (text: string | RegExp) => page.locator('.part.sidebar .monaco-list-row', { hasText: text });

  it('1. trusts the workspace, opens HPC Geo, connects to the lab and to the one-time-code cluster', async () => {
    await dialogButton('Yes, I trust the authors');
    await page.locator('.activitybar .action-item a[aria-label^="HPC Geo"]').click();
    await page.locator('.part.sidebar').getByText('No cluster is connected.').waitFor();
    await screenshot('jobs-view-welcome');

    await command('HPC Geo: Connect to Cluster');
    await pick('lab');
    await page.locator('.monaco-dialog-box', { hasText: "can't be established" }).waitFor();
    await screenshot('host-key-prompt');
    await dialogButton('Connect and Remember Key');
    await statusItem('lab').first().waitFor();
    try {
      await jobRow(/^lab/).first().waitFor({ timeout: 30_000 });
    } finally {
      await screenshot('after-connect-lab');
    }

    await command('HPC Geo: Connect to Cluster');
    await pick('lab-totp');
    await dialogButton('Connect and Remember Key');
    const prompt = page.locator('.quick-input-widget:visible', { hasText: 'Verification code' });
    await prompt.waitFor({ timeout: 60_000 });
    assert.equal(await prompt.locator('input').getAttribute('type'), 'password', 'the code is not echoed');
    await screenshot('one-time-code-prompt');
    await type(totp(lab.totp.secret));
    await page.locator('.statusbar-item', { hasText: 'lab-totp' }).first().waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')].filter((e) => /lab/.test(e.textContent ?? '') && e.querySelector('.codicon-vm-connect')).length >= 2, undefined, { timeout: 60_000 });
    await screenshot('connected');
  });
});
