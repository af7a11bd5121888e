// Offline once loaded: the page's own files come from the cache (filled at install, renamed per build);
// the keys and status lists are fetched fresh when the network answers and taken from the cache when not.
// Only requests to this site are handled; the page makes no others.

const VERSION = self.BUILD_VERSION;
const SHELL = self.BUILD_FILES;
const CACHE = `verifier-${VERSION}`;
const DATA = 'verifier-data';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // 'no-cache' revalidates: what the page itself just loaded comes back as 304, not a second download
      .then((cache) => cache.addAll(SHELL.map((f) => new Request(f, { cache: 'no-cache' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE && n !== DATA).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

function isData(url) {
  return url.pathname.endsWith('/.well-known/jwks.json') || /\/status\/[^/]+\.cwt$/.test(url.pathname);
}

async function networkFirst(request) {
  const cache = await caches.open(DATA);
  try {
    const response = await fetch(request, { cache: 'no-cache' });
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (e) {
    const cached = await cache.match(request);
    if (!cached) throw e;
    const headers = new Headers(cached.headers);
    headers.set('x-from-cache', '1');
    return new Response(await cached.arrayBuffer(), { status: 200, headers });
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { ignoreSearch: true });
  if (cached) return cached;
  return fetch(request);
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (isData(url)) {
    event.respondWith(networkFirst(event.request));
  } else if (url.pathname.endsWith('/') && event.request.mode === 'navigate') {
    event.respondWith(caches.match('index.html').then((r) => r || fetch(event.request)));
  } else {
    event.respondWith(cacheFirst(event.request));
  }
});
