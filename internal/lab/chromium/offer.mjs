// offer.mjs: one WebRTC offer from headless Chromium, as the lab's ground
// truth for managed browser policies. It speaks the file signalling of
// internal/lab/webrtc (offer.json / answer.json in --dir) with the same answerer
// in the cloud namespace, and prints an internal/lab/webrtc Result as JSON.
//
// node offer.mjs --dir DIR --path direct-udp|turn-udp|turn-tcp|turn-tls [--turn host:port]
// TURN credentials come from RTCPEER_TURN_USER / RTCPEER_TURN_PASSWORD
// (never the command line). Chromium is Debian's /usr/bin/chromium with a
// fresh profile; the caller puts the policy in /etc/chromium/policies/
// managed/ inside a private mount namespace.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const connectMs = 8000; // as internal/lab/webrtc's ConnectTimeout
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
const started = Date.now();
const result = { path: args.path, connected: false, ms: 0 };

function iceConfig(path, turn) {
  const creds = { username: process.env.RTCPEER_TURN_USER || '', credential: process.env.RTCPEER_TURN_PASSWORD || '' };
  const urls = {
    'turn-udp': `turn:${turn}?transport=udp`,
    'turn-tcp': `turn:${turn}?transport=tcp`,
    'turn-tls': `turns:${turn}?transport=tcp`,
  }[path];
  if (path === 'direct-udp') return { iceServers: [], iceTransportPolicy: 'all' };
  if (!urls || !turn) throw new Error(`--path ${path} needs --turn host:port`);
  return { iceServers: [{ urls, ...creds }], iceTransportPolicy: 'relay' };
}

async function waitFile(file, deadline) {
  while (Date.now() < deadline) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no ${file} before the deadline`);
}

async function run() {
  const config = iceConfig(args.path, args.turn);
  const profile = mkdtempSync(join(tmpdir(), 'rtcprobe-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, timeout: 15000,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = ctx.pages()[0] || await ctx.newPage();
    const deadline = Date.now() + connectMs;
    const offer = await page.evaluate(async ({ config, ms }) => {
      const pc = new RTCPeerConnection(config);
      window.pc = pc;
      const dc = pc.createDataChannel('rtcpeer');
      const msg = String(Math.random());
      window.echoed = new Promise((resolve) => {
        dc.onopen = () => dc.send(msg);
        dc.onmessage = (e) => { if (e.data === msg) resolve(true); };
      });
      await pc.setLocalDescription(await pc.createOffer());
      await new Promise((resolve) => {
        if (pc.iceGatheringState === 'complete') return resolve();
        pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
        setTimeout(resolve, ms);
      });
      return { type: 'offer', sdp: pc.localDescription.sdp };
    }, { config, ms: 5000 });
    writeFileSync(join(args.dir, 'offer.json.tmp'), JSON.stringify(offer));
    renameSync(join(args.dir, 'offer.json.tmp'), join(args.dir, 'offer.json'));
    if (!offer.sdp.includes('a=candidate:')) throw new Error('no candidate gathered');
    const answer = await waitFile(join(args.dir, 'answer.json'), deadline);
    const out = await page.evaluate(async ({ answer, ms }) => {
      await window.pc.setRemoteDescription(answer);
      const ok = await Promise.race([window.echoed, new Promise((r) => setTimeout(() => r(false), ms))]);
      if (!ok) return { connected: false, state: window.pc.iceConnectionState };
      const stats = await window.pc.getStats();
      // The transport names its selected pair; a nominated, succeeded
      // pair is the fallback.
      let pair = null;
      stats.forEach((s) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId) || pair;
      });
      stats.forEach((s) => {
        if (!pair && s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s;
      });
      const local = pair ? stats.get(pair.localCandidateId)?.candidateType || '' : '';
      const remote = pair ? stats.get(pair.remoteCandidateId)?.candidateType || '' : '';
      return { connected: true, local, remote };
    }, { answer, ms: Math.max(0, deadline - Date.now()) });
    result.connected = out.connected;
    if (out.local) result.local = out.local;
    if (out.remote) result.remote = out.remote;
    if (!out.connected) result.error = `not connected (ICE ${out.state})`;
  } finally {
    await ctx.close().catch(() => {});
    rmSync(profile, { recursive: true, force: true });
  }
}

try {
  await run();
} catch (e) {
  result.error = String(e && e.message || e).split('\n')[0];
}
result.ms = Date.now() - started;
process.stdout.write(JSON.stringify(result) + '\n');
