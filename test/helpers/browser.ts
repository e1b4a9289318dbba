/// <reference lib="dom" />
// colourSpread decodes the screenshot in the browser, with its DOM and canvas.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium, which scripts/test-deps.sh installs. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Chromium's own background traffic (component updates, sync, QUIC probes) is off: the test
 * machine's network refuses it, and a page's requests are then the only ones it makes. CI runs as
 * root (no sandbox), maybe in a container whose /dev/shm is small (shared memory in /tmp instead).
 */
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

export interface Browser {
  context: BrowserContext;
  close: () => Promise<void>;
}

/** A headless Chromium with a fresh profile, removed on close. */
export async function launchChromium(viewport = { width: 1400, height: 900 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'sqlprobe-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport });
    return {
      context,
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}

/**
 * How varied an image is: the number of distinct colours and the share of the commonest one. The
 * browser decodes the PNG, on a blank page of its own, so nothing is recorded against the page under test.
 */
export async function colourSpread(context: BrowserContext, png: Buffer): Promise<{ colours: number; commonest: number }> {
  const page = await context.newPage();
  try {
    return await page.evaluate(async (base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(bitmap, 0, 0);
      const data = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
      const counts = new Map<number, number>();
      for (let i = 0; i < data.length; i += 4) {
        const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return { colours: counts.size, commonest: Math.max(...counts.values()) / (data.length / 4) };
    }, png.toString('base64'));
  } finally {
    await page.close();
  }
}
