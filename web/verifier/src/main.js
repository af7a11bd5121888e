// The verifier page: input (camera, picture, pasted text) -> verify.js -> a large verdict.

import { loadKeys, verifyText, warmUpSignatures } from './verify.js';
import { STRINGS, pickLanguage, fill } from './i18n.js';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

const $ = (id) => document.getElementById(id);
const state = {
  lang: 'en',
  keys: [],
  offices: [],
  lists: new Map(), // path -> bytes (fetched at start, so that a verdict never waits on the network)
  keysAsOf: null,
  offline: false,
  last: null,
  stream: null,
  scanning: false,
  detector: null,
};
// For tests and the budget check: how long each verdict took after its frame (ms).
window.verifierTimings = [];
window.verifierDecodeTimings = []; // of those, the part spent finding and reading the QR code in the frame

function t() {
  return STRINGS[state.lang];
}

function fmtDate(seconds, withTime = false) {
  if (seconds === null || seconds === undefined) return '';
  const d = new Date(seconds * 1000);
  const opts = withTime
    ? { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
    : { year: 'numeric', month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(state.lang === 'en' ? 'en-GB' : 'zh-CN', opts).format(d);
}

function setLanguage(lang) {
  state.lang = lang;
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-Hans';
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t()[el.dataset.t];
  const sw = $('lang');
  sw.textContent = t().switch_to;
  sw.setAttribute('aria-label', t().switch_label);
  sw.lang = lang === 'en' ? 'zh-Hans' : 'en';
  $('camera').textContent = state.stream ? t().camera_stop : t().camera_start;
  document.title = t().title;
  showKeysLine();
  if (state.last) render(state.last);
}

// ------------------------------------------------------------------------------------------- keys, lists

async function fetchBytes(path) {
  const response = await fetch(path, { cache: 'no-cache', credentials: 'omit' });
  if (!response.ok) throw new Error(String(response.status));
  state.offline = state.offline || response.headers.get('x-from-cache') === '1';
  return new Uint8Array(await response.arrayBuffer());
}

async function loadTrust() {
  try {
    const bytes = await fetchBytes('.well-known/jwks.json');
    const { keys } = loadKeys(JSON.parse(new TextDecoder().decode(bytes)));
    state.keys = keys;
  } catch {
    state.keys = [];
    $('keys').textContent = t().keys_failed;
    return;
  }
  // One status list per office (the path below the authority that `iss` names).
  const offices = new Set();
  for (const key of state.keys) {
    const m = key.iss.match(/^https:\/\/[^/]+\/([A-Za-z0-9._~-]+)$/);
    if (m) offices.add(m[1]);
  }
  state.offices = [...offices];
  await Promise.all(
    state.offices.map(async (office) => {
      const path = `${office}/status/1.cwt`;
      try {
        state.lists.set(path, await fetchBytes(path));
      } catch {
        // not published (yet); a card that points here gets "status unknown"
      }
    }),
  );
  state.keysAsOf = Date.now() / 1000;
  showKeysLine();
}

function showKeysLine() {
  const el = $('keys');
  if (!state.keys.length) {
    el.textContent = state.keysAsOf === null ? t().loading : t().keys_failed;
    return;
  }
  const template = state.offline ? t().keys_offline : t().keys_ready;
  el.textContent = fill(template, { count: state.offices.length || 1, as_of: fmtDate(state.keysAsOf, true) });
}

async function statusList(path) {
  if (state.lists.has(path)) return state.lists.get(path);
  try {
    const bytes = await fetchBytes(path);
    state.lists.set(path, bytes);
    return bytes;
  } catch {
    return null;
  }
}

// ------------------------------------------------------------------------------------------------ verdict

async function check(text, startedAt) {
  const verdict = await verifyText(text, { keys: state.keys, now: Date.now() / 1000, statusList });
  render(verdict);
  const ms = performance.now() - startedAt;
  window.verifierTimings.push(ms);
  const out = $('verdict');
  out.dataset.ms = ms.toFixed(1);
  out.dataset.count = String(window.verifierTimings.length);
  $('timing').textContent = fill(t().timing, { ms: Math.max(1, Math.round(ms)) });
  return verdict;
}

const UNSURE = new Set(['status-unknown', 'encrypted']);

function explain(v) {
  const e = t().explain;
  const issuer = v.authority || v.issuer;
  switch (v.status) {
    case 'valid':
      return fill(v.status_checked ? e.valid : e.valid_unchecked, { issuer });
    case 'expired':
      return fill(e.expired, { date: fmtDate(v.expires) });
    case 'not-yet-valid':
      return fill(e['not-yet-valid'], { date: fmtDate(v.not_before) });
    case 'unknown-issuer':
      return e[v.problem] || e['unknown-issuer'];
    case 'malformed':
      return e.malformed;
    case 'encrypted':
      return e.encrypted;
    case 'status-unknown': {
      const why = fill(e[v.problem] || e.status, { as_of: fmtDate(v.status_as_of, true) });
      return fill(e['status-unknown'], { why });
    }
    default:
      return e[v.status];
  }
}

function render(v) {
  state.last = v;
  const out = $('verdict');
  out.hidden = false;
  out.className = `verdict verdict-${UNSURE.has(v.status) ? 'unsure' : v.status === 'valid' ? 'valid' : 'invalid'}`;
  out.dataset.status = v.status;
  $('verdict-title').textContent = t().verdict[v.status];
  $('verdict-icon').textContent = v.status === 'valid' ? '✓' : UNSURE.has(v.status) ? '?' : '✗';
  $('verdict-reason').textContent = explain(v);
  $('verdict-status').textContent =
    v.status_checked && v.status_as_of
      ? fill(v.status_expires ? t().status_as_of_until : t().status_as_of, {
          as_of: fmtDate(v.status_as_of, true),
          until: fmtDate(v.status_expires, true),
        })
      : '';
  const dl = $('holder');
  dl.replaceChildren();
  const note = $('claims-note');
  note.hidden = v.valid || !v.claims;
  note.textContent = t().claims_note;
  const img = $('photo');
  if (v.claims && v.claims.photo) {
    const url = URL.createObjectURL(new Blob([v.claims.photo.bytes], { type: v.claims.photo.type }));
    img.src = url;
    img.alt = t().fields.photo;
    img.hidden = false;
  } else {
    img.hidden = true;
    img.removeAttribute('src');
  }
  if (!v.claims) return;
  const f = t().fields;
  const c = v.claims;
  const rows = [
    [f.name, c.secondary_full_name, c.secondary_language ? iso639to1(c.secondary_language) : null],
    [f.name_latin, c.full_name || [c.last_name, c.first_name].filter(Boolean).join(' ')],
    [f.id_number, c.id_number],
    [f.birth_date, fmtBirthDate(c.birth_date)],
    [f.sex, c.sex ? t().sex[c.sex] : null],
    [f.country, c.country],
    [f.issuer, v.authority || v.issuer],
    [f.office, v.authority && v.issuer ? v.issuer.replace(/^.*\//, '') : null],
    [f.expires, v.expires ? fmtDate(v.expires) : null],
  ];
  for (const [label, value, lang] of rows) {
    if (!value) continue;
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = value;
    if (lang) dd.lang = lang;
    dl.append(dt, dd);
  }
}

function fmtBirthDate(text) {
  const m = typeof text === 'string' && text.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (!m) return text;
  const opts = { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(state.lang === 'en' ? 'en-GB' : 'zh-CN', opts).format(Date.UTC(+m[1], +m[2] - 1, +m[3]));
}

function iso639to1(code) {
  return { zho: 'zh', eng: 'en', fra: 'fr', ara: 'ar', rus: 'ru', spa: 'es', kor: 'ko', jpn: 'ja' }[code] || null;
}

function showMessage(text) {
  const el = $('message');
  el.textContent = text;
  el.hidden = !text;
}

// ----------------------------------------------------------------------------------------- QR reading

let zxingReady = false;
function zxing() {
  if (!zxingReady) {
    // the wasm ships with the page: never the library's default CDN
    prepareZXingModule({ overrides: { locateFile: (path) => new URL(path, document.baseURI).href } });
    zxingReady = true;
  }
}

async function warmUpDecoder() {
  window.verifierWarmUp = warmUpSignatures();
  if (await barcodeDetector()) return;
  try {
    zxing();
    // a frame-sized picture with a few finder-like squares: runs (and lets the engine optimise) the paths a
    // camera frame takes, so that the first real frame is read as fast as the later ones
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 480;
    const ctx2d = canvas.getContext('2d', { willReadFrequently: true });
    ctx2d.fillStyle = '#fff';
    ctx2d.fillRect(0, 0, 640, 480);
    ctx2d.fillStyle = '#000';
    for (const [x, y] of [[200, 120], [380, 120], [200, 300]]) {
      ctx2d.fillRect(x, y, 56, 56);
      ctx2d.clearRect(x + 8, y + 8, 40, 40);
      ctx2d.fillRect(x + 16, y + 16, 24, 24);
    }
    const frame = ctx2d.getImageData(0, 0, 640, 480);
    for (let i = 0; i < 3; i++) {
      await readBarcodes(frame, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 });
    }
  } catch {
    // decoding a picture will try again and report what fails
  }
}

async function barcodeDetector() {
  if (state.detector !== null) return state.detector;
  state.detector = false;
  if ('BarcodeDetector' in window) {
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) state.detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    } catch {
      state.detector = false;
    }
  }
  return state.detector;
}

async function readQr(image) {
  const detector = await barcodeDetector();
  if (detector) {
    try {
      const found = await detector.detect(image);
      if (found.length) return found[0].rawValue;
    } catch {
      // fall through to zxing
    }
  }
  zxing();
  let data = image;
  if (!(image instanceof ImageData) && !(image instanceof Blob)) {
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const ctx2d = canvas.getContext('2d', { willReadFrequently: true });
    ctx2d.drawImage(image, 0, 0);
    data = ctx2d.getImageData(0, 0, canvas.width, canvas.height);
  }
  const results = await readBarcodes(data, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 1 });
  return results.length && results[0].isValid ? results[0].text : null;
}

async function startCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    showMessage(t().no_camera);
    return;
  }
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
  } catch (e) {
    showMessage(fill(t().camera_denied, { error: e.name || 'error' }));
    return;
  }
  showMessage('');
  const video = $('video');
  video.srcObject = state.stream;
  $('viewfinder').hidden = false;
  $('camera').textContent = t().camera_stop;
  $('camera').setAttribute('aria-pressed', 'true');
  await video.play();
  state.scanning = true;
  scanLoop();
}

function stopCamera() {
  state.scanning = false;
  if (state.stream) for (const track of state.stream.getTracks()) track.stop();
  state.stream = null;
  $('video').srcObject = null;
  $('viewfinder').hidden = true;
  $('camera').textContent = t().camera_start;
  $('camera').setAttribute('aria-pressed', 'false');
}

async function scanLoop() {
  const video = $('video');
  const canvas = document.createElement('canvas');
  const ctx2d = canvas.getContext('2d', { willReadFrequently: true });
  while (state.scanning) {
    if (video.readyState >= 2 && video.videoWidth) {
      const startedAt = performance.now(); // the frame is taken now
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      ctx2d.drawImage(video, 0, 0);
      const frame = ctx2d.getImageData(0, 0, canvas.width, canvas.height);
      let text = null;
      try {
        text = await readQr(frame);
      } catch {
        text = null;
      }
      if (text) window.verifierDecodeTimings.push(performance.now() - startedAt);
      if (text && state.scanning) {
        state.scanning = false;
        video.pause(); // no more frames to paint while the verdict is made
        $('input-source').textContent = 'camera';
        await check(text, startedAt);
        stopCamera(); // after the verdict: releasing the camera takes time the holder need not wait for
        $('verdict').focus();
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 120));
  }
}

async function onFile(event) {
  const file = event.target.files && event.target.files[0];
  event.target.value = '';
  if (!file) return;
  stopCamera();
  showMessage('');
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    showMessage(t().no_qr);
    return;
  }
  const startedAt = performance.now();
  const text = await readQr(bitmap);
  if (!text) {
    showMessage(t().no_qr);
    return;
  }
  $('input-source').textContent = 'picture';
  await check(text, startedAt);
  $('verdict').focus();
}

async function onPaste(event) {
  event.preventDefault();
  stopCamera();
  showMessage('');
  $('input-source').textContent = 'text';
  await check($('text').value.trim(), performance.now());
  $('verdict').focus();
}

// ----------------------------------------------------------------------------------------------- start

async function main() {
  let stored = null;
  try {
    stored = localStorage.getItem('lang');
  } catch {
    stored = null;
  }
  setLanguage(pickLanguage(stored, navigator.languages));
  $('lang').addEventListener('click', () => {
    const next = state.lang === 'en' ? 'zh-Hans' : 'en';
    try {
      localStorage.setItem('lang', next);
    } catch {
      // private mode: the switch still works for this visit
    }
    setLanguage(next);
  });
  $('camera').addEventListener('click', () => (state.stream ? stopCamera() : startCamera()));
  $('file').addEventListener('change', onFile);
  $('paste').addEventListener('submit', onPaste);
  if ('serviceWorker' in navigator && location.protocol !== 'file:') {
    navigator.serviceWorker.register('sw.js').catch(() => {});
  }
  // Compile the QR decoder while the keys load, so that the first readable frame is not kept waiting.
  await Promise.all([loadTrust(), warmUpDecoder()]);
  document.body.dataset.ready = '1';
}

main();
