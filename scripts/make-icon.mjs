// Draws media/icon.png (128×128, the Marketplace size) from the Spark Edit bolt in Debian's Chromium: `node scripts/make-icon.mjs`.
import { chromium } from 'playwright-core';
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#1f2a44"/><stop offset="1" stop-color="#0d1322"/></linearGradient>
<linearGradient id="b" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#ffe066"/><stop offset="1" stop-color="#ff9f1c"/></linearGradient></defs>
<rect width="128" height="128" rx="24" fill="url(#g)"/>
<path transform="translate(16 12) scale(4)" d="M13 2 4 14h7l-1 8 9-12h-7z" fill="url(#b)" stroke="#fff3c4" stroke-width="0.6" stroke-linejoin="round"/>
</svg>`;
const b = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
const p = await b.newPage({ viewport: { width: 128, height: 128 } });
await p.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
await p.screenshot({ path: 'media/icon.png', omitBackground: true, clip: { x: 0, y: 0, width: 128, height: 128 } });
await b.close();
