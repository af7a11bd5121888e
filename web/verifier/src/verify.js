// Claim 169 verification in the browser: Base45 -> zlib -> COSE_Sign1 (tag 18, optionally inside CWT tag 61)
// -> CWT claims -> claim 169; signature with @noble/curves (EdDSA/Ed25519, ES256/P-256) against the
// authority's published JWKS; exp, nbf and the IETF Token Status List (CWT form) of the issuing office.
// Nothing here throws for any input: every failure is a verdict.

import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { decode, Tagged, sigStructure } from './cbor.js';

export const ALG_EDDSA = -8;
export const ALG_ES256 = -7;
const MAX_TEXT_CHARS = 4296; // the largest QR code's alphanumeric capacity
const MAX_INFLATED = 64 * 1024;
const MAX_LIST_BYTES = 16 * 1024 * 1024;
/** Clock-skew tolerance for `nbf` and for a key's validity window: phones' clocks drift. */
export const SKEW_SECONDS = 300;

const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const B45_INDEX = new Map([...B45].map((c, i) => [c, i]));

export class Unreadable extends Error {}

export function base45Decode(text) {
  const out = [];
  if (text.length % 3 === 1) throw new Unreadable('b45');
  for (let i = 0; i < text.length; i += 3) {
    const chunk = text.slice(i, i + 3);
    const v = [...chunk].map((c) => {
      const n = B45_INDEX.get(c);
      if (n === undefined) throw new Unreadable('b45');
      return n;
    });
    if (v.length === 3) {
      const n = v[0] + v[1] * 45 + v[2] * 2025;
      if (n > 65535) throw new Unreadable('b45');
      out.push(n >> 8, n & 255);
    } else {
      const n = v[0] + v[1] * 45;
      if (n > 255) throw new Unreadable('b45');
      out.push(n);
    }
  }
  return Uint8Array.from(out);
}

/** Inflate a zlib stream (RFC 1950) with the browser's DecompressionStream, stopping at `limit` bytes. */
export async function inflate(bytes, limit = MAX_INFLATED) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  const reader = stream.getReader();
  const parts = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel();
        throw new Unreadable('zlib-size');
      }
      parts.push(value);
    }
  } catch (e) {
    if (e instanceof Unreadable) throw e;
    throw new Unreadable('zlib');
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function b64urlDecode(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const pad = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  try {
    return Uint8Array.from(atob(pad), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

export function b64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

function equalBytes(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The published keys (JWKS) as verification keys. Ed25519 (OKP) and P-256 (EC) public keys; each must name
 * its `iss`. A key with a private part, or one that cannot be read, is left out (and counted).
 */
export function loadKeys(jwks) {
  const keys = [];
  let skipped = 0;
  for (const jwk of (jwks && Array.isArray(jwks.keys) && jwks.keys) || []) {
    try {
      if (!jwk || typeof jwk !== 'object' || 'd' in jwk || typeof jwk.iss !== 'string') throw new Error();
      let key;
      if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') {
        const x = b64urlDecode(jwk.x);
        if (!x || x.length !== 32) throw new Error();
        key = { alg: ALG_EDDSA, raw: x };
      } else if (jwk.kty === 'EC' && jwk.crv === 'P-256') {
        const x = b64urlDecode(jwk.x);
        const y = b64urlDecode(jwk.y);
        if (!x || !y || x.length !== 32 || y.length !== 32) throw new Error();
        const raw = new Uint8Array(65);
        raw[0] = 4;
        raw.set(x, 1);
        raw.set(y, 33);
        key = { alg: ALG_ES256, raw };
      } else {
        throw new Error();
      }
      keys.push({
        ...key,
        kid: typeof jwk.kid === 'string' ? jwk.kid : null,
        iss: jwk.iss,
        nbf: Number.isInteger(jwk.nbf) ? jwk.nbf : null,
        exp: Number.isInteger(jwk.exp) ? jwk.exp : null,
        authority: typeof jwk.authority === 'string' ? jwk.authority : null,
      });
    } catch {
      skipped += 1;
    }
  }
  return { keys, skipped };
}

function kidMatches(key, kidBytes) {
  if (!key.kid) return false;
  if (key.kid === b64url(kidBytes)) return true;
  try {
    return key.kid === new TextDecoder('utf-8', { fatal: true }).decode(kidBytes);
  } catch {
    return false;
  }
}

function checkSignature(key, alg, message) {
  if (key.alg !== alg) return false;
  const data = sigStructure(message.protectedBytes, message.payload);
  try {
    if (alg === ALG_EDDSA) return ed25519.verify(message.signature, data, key.raw, { zip215: false });
    return p256.verify(message.signature, data, key.raw, { lowS: false, prehash: true });
  } catch {
    return false;
  }
}

/** Parse a COSE_Sign1 (tagged 18, untagged, or inside CWT tag 61) without verifying it. */
export function parseSign1(bytes) {
  let obj;
  try {
    obj = decode(bytes);
  } catch {
    throw new Unreadable('cbor');
  }
  if (obj instanceof Tagged && obj.tag === 61) obj = obj.value;
  if (obj instanceof Tagged && obj.tag === 16) throw new Unreadable('encrypted');
  if (obj instanceof Tagged) {
    if (obj.tag !== 18) throw new Unreadable('cose');
    obj = obj.value;
  }
  if (!Array.isArray(obj) || obj.length !== 4) throw new Unreadable('cose');
  const [protectedBytes, unprotected, payload, signature] = obj;
  if (!(protectedBytes instanceof Uint8Array) || !(unprotected instanceof Map)) throw new Unreadable('cose');
  if (!(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) throw new Unreadable('cose');
  let header = new Map();
  if (protectedBytes.length) {
    try {
      header = decode(protectedBytes);
    } catch {
      throw new Unreadable('cose');
    }
    if (!(header instanceof Map)) throw new Unreadable('cose');
  }
  const alg = header.get(1);
  if (alg !== ALG_EDDSA && alg !== ALG_ES256) throw new Unreadable('alg');
  // A wrong-sized (or empty: unsigned) signature decodes and fails verification: the data is shown as claimed.
  let kid = header.get(4);
  let kidWhere = 'protected';
  if (kid === undefined && unprotected.has(4)) {
    kid = unprotected.get(4);
    kidWhere = 'unprotected';
  }
  if (kid === undefined) kidWhere = 'none';
  else if (!(kid instanceof Uint8Array)) throw new Unreadable('cose');
  return { protectedBytes, header, payload, signature, alg, kid: kid ?? null, kidWhere };
}

function time(claims, key) {
  const v = claims.get(key);
  if (v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Unreadable('claims');
  return Math.floor(v);
}

function text(map, key) {
  const v = map.get(key);
  return typeof v === 'string' ? v : null;
}

const IMAGE_TYPES = { 0: 'image/png', 1: 'image/jpeg', 2: 'image/jp2', 3: 'image/avif', 4: 'image/webp' };

function photo(holder) {
  const face = holder.get(62);
  if (Array.isArray(face)) {
    for (const entry of face) {
      if (entry instanceof Map && entry.get(0) instanceof Uint8Array && entry.get(1) === 0) {
        const type = IMAGE_TYPES[entry.get(2)];
        if (type) return { bytes: entry.get(0), type };
      }
    }
  }
  // Claim 169 1.0's deprecated Binary Image (16) with its format (17: 1 JPEG, 2 JPEG 2000, 3 AVIF, 4 WEBP?)
  const legacy = holder.get(16);
  if (legacy instanceof Uint8Array) {
    return { bytes: legacy, type: { 1: 'image/jpeg', 2: 'image/jp2', 3: 'image/avif' }[holder.get(17)] || 'image/jpeg' };
  }
  return null;
}

function birthDate(value) {
  if (typeof value !== 'string') return null;
  const compact = value.match(/^(\d{4})(\d{2})(\d{2})$/);
  if (compact) return `${compact[1]}-${compact[2]}-${compact[3]}`;
  const iso = value.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (iso) return value;
  const dmy = value.match(/^(\d{2})[/-](\d{2})[/-](\d{4})$/);
  if (dmy) return `${dmy[3]}-${dmy[2]}-${dmy[1]}`;
  return value;
}

function holderData(holder) {
  const gender = holder.get(9);
  return {
    id_number: text(holder, 1),
    full_name: text(holder, 4),
    first_name: text(holder, 5),
    middle_name: text(holder, 6),
    last_name: text(holder, 7),
    birth_date: birthDate(holder.get(8)),
    sex: { 1: 'M', 2: 'F', 3: 'X' }[gender] || null,
    secondary_full_name: text(holder, 19),
    secondary_language: text(holder, 20),
    location_code: text(holder, 21),
    country: text(holder, 23),
    photo: photo(holder),
  };
}

/** Where the office's status list lives on this site: the credential's `uri` below the key's `iss`. */
export function statusPath(uri, key) {
  if (typeof uri !== 'string' || !key || typeof key.iss !== 'string') return null;
  const base = key.iss.replace(/[^/]*$/, '');
  if (!uri.startsWith(key.iss + '/') || !/^https:\/\/[^/]+\//.test(base)) return null;
  const rel = uri.slice(base.length);
  return /^[A-Za-z0-9._~-]+(\/[A-Za-z0-9._~-]+)*$/.test(rel) && !rel.split('/').includes('..') ? rel : null;
}

/**
 * Read a status list token (CWT, COSE_Sign1): signed by a published key of `iss`, subject `uri`.
 * Returns {iat, exp, ttl, bits, lst} or throws Unreadable('status').
 */
export async function readStatusList(bytes, keys, iss, uri) {
  let message;
  try {
    message = parseSign1(bytes);
  } catch {
    throw new Unreadable('status');
  }
  const candidates = keys.filter((k) => k.iss === iss && (message.kid === null || kidMatches(k, message.kid)));
  if (!candidates.some((k) => checkSignature(k, message.alg, message))) throw new Unreadable('status-signature');
  let claims;
  try {
    claims = decode(message.payload);
  } catch {
    throw new Unreadable('status');
  }
  if (!(claims instanceof Map) || claims.get(2) !== uri) throw new Unreadable('status');
  const list = claims.get(65533);
  if (!(list instanceof Map)) throw new Unreadable('status');
  const bits = list.get('bits');
  const lst = list.get('lst');
  if (![1, 2, 4, 8].includes(bits) || !(lst instanceof Uint8Array)) throw new Unreadable('status');
  let raw;
  try {
    raw = await inflate(lst, MAX_LIST_BYTES);
  } catch {
    throw new Unreadable('status');
  }
  const num = (k) => (Number.isInteger(claims.get(k)) ? claims.get(k) : null);
  return { iat: num(6), exp: num(4), ttl: num(65534), bits, lst: raw };
}

export function statusAt(list, idx) {
  const perByte = 8 / list.bits;
  const byte = Math.floor(idx / perByte);
  if (!Number.isInteger(idx) || idx < 0 || byte >= list.lst.length) return null;
  const shift = (idx % perByte) * list.bits;
  return (list.lst[byte] >> shift) & ((1 << list.bits) - 1);
}

/**
 * Verify scanned QR text. `ctx` = {keys, now (Unix seconds), statusList: async (path) => bytes | null}.
 * Returns a verdict {status, claims, issuer, expires, ...}; status is one of valid, revoked, suspended,
 * expired, not-yet-valid, bad-signature, unknown-issuer, malformed, encrypted, status-unknown (the names of
 * `id-console verify`).
 */
export async function verifyText(input, ctx) {
  const textIn = typeof input === 'string' ? input.replace(/[\r\n]+$/, '') : '';
  const result = (status, extra = {}) => ({ status, valid: status === 'valid', ...extra });
  let message;
  let claims;
  try {
    if (!textIn) throw new Unreadable('empty');
    if (textIn.length > MAX_TEXT_CHARS) throw new Unreadable('long');
    const inflated = await inflate(base45Decode(textIn));
    message = parseSign1(inflated);
    try {
      claims = decode(message.payload);
    } catch {
      throw new Unreadable('claims');
    }
    if (!(claims instanceof Map) || !(claims.get(169) instanceof Map)) throw new Unreadable('claims');
  } catch (e) {
    if (e instanceof Unreadable && e.message === 'encrypted') return result('encrypted', { problem: 'encrypted' });
    return result('malformed', { problem: e instanceof Unreadable ? e.message : 'other' });
  }
  let iss;
  let iat;
  let nbf;
  let exp;
  try {
    iss = claims.get(1);
    if (iss !== undefined && typeof iss !== 'string') throw new Unreadable('claims');
    iat = time(claims, 6);
    nbf = time(claims, 5);
    exp = time(claims, 4);
  } catch (e) {
    return result('malformed', { problem: 'claims' });
  }
  const cti = claims.get(7);
  const base = {
    claims: holderData(claims.get(169)),
    issuer: iss ?? null,
    expires: exp,
    issued: iat,
    not_before: nbf,
    credential_id: cti instanceof Uint8Array ? hex(cti) : null,
    algorithm: message.alg === ALG_EDDSA ? 'EdDSA' : 'ES256',
    kid_location: message.kidWhere,
  };
  // By kid; a published key without a kid speaks for its `iss` only, so it is tried for that issuer's cards.
  const candidates = ctx.keys.filter(
    (k) => (message.kid !== null && kidMatches(k, message.kid)) || (!k.kid && k.iss === iss) || (message.kid === null && k.iss === iss),
  );
  if (!candidates.length) return result('unknown-issuer', { ...base, problem: 'unknown-key' });
  const key = candidates.find((k) => checkSignature(k, message.alg, message));
  if (!key) return result('bad-signature', base);
  base.authority = key.authority;
  if (iss !== key.iss) return result('unknown-issuer', { ...base, problem: 'wrong-issuer' });
  const signedAt = iat ?? nbf;
  if (signedAt !== null) {
    if ((key.nbf !== null && signedAt + SKEW_SECONDS < key.nbf) || (key.exp !== null && signedAt >= key.exp)) {
      return result('unknown-issuer', { ...base, problem: 'key-not-in-force' });
    }
  }
  const now = ctx.now;
  if (exp !== null && now >= exp) return result('expired', base);
  if (nbf !== null && now + SKEW_SECONDS < nbf) return result('not-yet-valid', base);
  if (iat !== null && now + SKEW_SECONDS < iat) return result('not-yet-valid', { ...base, not_before: iat });
  const status = claims.get(65535);
  const ref = status instanceof Map ? status.get('status_list') : null;
  if (!(ref instanceof Map)) return result('valid', { ...base, status_checked: false });
  const idx = ref.get('idx');
  const uri = ref.get('uri');
  const path = statusPath(uri, key);
  if (path === null) return result('status-unknown', { ...base, problem: 'status-elsewhere' });
  let list;
  try {
    const bytes = await ctx.statusList(path);
    if (!bytes) return result('status-unknown', { ...base, problem: 'status-missing' });
    list = await readStatusList(bytes, ctx.keys, key.iss, uri);
  } catch (e) {
    return result('status-unknown', { ...base, problem: e instanceof Unreadable ? e.message : 'status' });
  }
  const fresh = { status_checked: true, status_as_of: list.iat, status_expires: list.exp, status_ttl: list.ttl };
  if (list.exp !== null && now >= list.exp) return result('status-unknown', { ...base, ...fresh, problem: 'status-stale' });
  if (list.iat !== null && now + SKEW_SECONDS < list.iat) {
    return result('status-unknown', { ...base, ...fresh, problem: 'status-future' });
  }
  const value = statusAt(list, idx);
  if (value === null || (list.bits === 2 && value === 3)) {
    return result('status-unknown', { ...base, ...fresh, problem: 'status-index' });
  }
  if (value === 0) return result('valid', { ...base, ...fresh });
  if (value === 2) return result('suspended', { ...base, ...fresh });
  return result('revoked', { ...base, ...fresh });
}

const hexBytes = (h) => Uint8Array.from(h.match(/../g), (b) => parseInt(b, 16));

/**
 * Run one Ed25519 verification (RFC 8032, test 1) so that the curve's tables are built before the first card:
 * a verdict after a camera frame should not pay for them. Returns whether the vector verified.
 */
export function warmUpSignatures() {
  return ed25519.verify(
    hexBytes(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    ),
    new Uint8Array(0),
    hexBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
    { zip215: false },
  );
}
