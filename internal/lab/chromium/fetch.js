// fetch.js URL: loads URL in headless Chromium through the proxy in
// PROXY_SERVER, logging in with PROXY_USER / PROXY_PASSWORD when set (as a
// user would type them at the browser's prompt), and prints one JSON line
// {"ok": bool, "status": n, "error": "..."}. Chromium is the system's
// (CHROMIUM, default /usr/bin/chromium); Playwright downloads nothing.
const { chromium } = require('playwright-core');

async function main() {
  const url = process.argv[2];
  const proxy = { server: process.env.PROXY_SERVER };
  if (process.env.PROXY_USER) {
    proxy.username = process.env.PROXY_USER;
    proxy.password = process.env.PROXY_PASSWORD || '';
  }
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
    proxy,
    timeout: 20000,
  });
  const out = { ok: false, status: 0, error: '' };
  try {
    const page = await browser.newPage({ ignoreHTTPSErrors: true });
    const resp = await page.goto(url, { timeout: 15000 });
    out.status = resp ? resp.status() : 0;
    const body = await page.content();
    out.ok = body.includes('"lab":"rtcprobe"');
  } catch (e) {
    out.error = String(e.message || e).split('\n')[0];
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.log(JSON.stringify({ ok: false, status: 0, error: String(e.message || e).split('\n')[0] }));
});
