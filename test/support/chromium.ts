import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

/** A phone's viewport (an iPhone 12-15's CSS pixels): the resident pages are tested as residents mostly see them. */
export const PHONE_VIEWPORT = { width: 390, height: 844 };

/** Debian's Chromium, headless, as the project's browser tests run it; and the folder the screenshots go to. */
export async function launchChromium(): Promise<{ browser: Browser; screenshots: string }> {
  const screenshots = join(process.cwd(), 'test', 'output');
  mkdirSync(screenshots, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return { browser, screenshots };
}
