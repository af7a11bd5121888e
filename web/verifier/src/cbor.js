// A small, strict CBOR decoder (RFC 8949) for hostile input: bounded depth and sizes, no trailing bytes.
// Maps decode to Map (keys are integers in CWT and Claim 169), byte strings to Uint8Array, tags to Tagged.

export class CborError extends Error {}

export class Tagged {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

const MAX_DEPTH = 32;
const MAX_ITEMS = 100000;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decode(bytes) {
  const r = new Reader(bytes);
  const value = r.item(0);
  if (r.pos !== bytes.length) throw new CborError('trailing bytes after the CBOR item');
  return value;
}

class Reader {
  constructor(bytes) {
    this.b = bytes;
    this.pos = 0;
    this.items = 0;
  }

  need(n) {
    if (this.pos + n > this.b.length) throw new CborError('CBOR data is cut short');
  }

  byte() {
    this.need(1);
    return this.b[this.pos++];
  }

  uint(info) {
    if (info < 24) return info;
    const width = { 24: 1, 25: 2, 26: 4, 27: 8 }[info];
    if (!width) throw new CborError('bad CBOR length');
    this.need(width);
    let v = 0n;
    for (let i = 0; i < width; i++) v = (v << 8n) | BigInt(this.b[this.pos++]);
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }

  length(info) {
    const n = this.uint(info);
    if (typeof n !== 'number' || n > this.b.length) throw new CborError('CBOR length beyond the data');
    return n;
  }

  chunks(major, info, depth) {
    // definite or indefinite-length byte/text string
    if (info !== 31) {
      const n = this.length(info);
      this.need(n);
      const out = this.b.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    const parts = [];
    for (;;) {
      const ib = this.byte();
      if (ib === 0xff) break;
      if (ib >> 5 !== major || (ib & 31) === 31) throw new CborError('bad chunk in an indefinite string');
      parts.push(this.chunks(major, ib & 31, depth));
    }
    const total = parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  item(depth) {
    if (depth > MAX_DEPTH) throw new CborError('CBOR nested too deeply');
    if (++this.items > MAX_ITEMS) throw new CborError('too many CBOR items');
    const ib = this.byte();
    const major = ib >> 5;
    const info = ib & 31;
    switch (major) {
      case 0:
        return this.uint(info);
      case 1: {
        const n = this.uint(info);
        return typeof n === 'number' ? -1 - n : -1n - n;
      }
      case 2:
        return this.chunks(2, info, depth);
      case 3:
        try {
          return utf8.decode(this.chunks(3, info, depth));
        } catch (e) {
          throw new CborError('text is not UTF-8');
        }
      case 4: {
        const out = [];
        if (info === 31) {
          while (this.peek() !== 0xff) out.push(this.item(depth + 1));
          this.pos++;
        } else {
          const n = this.length(info);
          for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        }
        return out;
      }
      case 5: {
        const out = new Map();
        const put = () => {
          const k = this.item(depth + 1);
          const v = this.item(depth + 1);
          const key = typeof k === 'bigint' ? k.toString() : k;
          if (typeof key === 'object' && key !== null) throw new CborError('a CBOR map key is not a number or text');
          if (out.has(key)) throw new CborError('a CBOR map has a key twice');
          out.set(key, v);
        };
        if (info === 31) {
          while (this.peek() !== 0xff) put();
          this.pos++;
        } else {
          const n = this.length(info);
          for (let i = 0; i < n; i++) put();
        }
        return out;
      }
      case 6: {
        const tag = this.uint(info);
        return new Tagged(tag, this.item(depth + 1));
      }
      default: {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        if (info === 23) return undefined;
        if (info === 25) return this.float(2);
        if (info === 26) return this.float(4);
        if (info === 27) return this.float(8);
        throw new CborError('unsupported CBOR simple value');
      }
    }
  }

  peek() {
    this.need(1);
    return this.b[this.pos];
  }

  float(width) {
    this.need(width);
    const view = new DataView(this.b.buffer, this.b.byteOffset + this.pos, width);
    this.pos += width;
    if (width === 4) return view.getFloat32(0);
    if (width === 8) return view.getFloat64(0);
    const h = view.getUint16(0);
    const exp = (h >> 10) & 31;
    const mant = h & 1023;
    const sign = h & 0x8000 ? -1 : 1;
    if (exp === 0) return sign * mant * 2 ** -24;
    if (exp === 31) return mant ? NaN : sign * Infinity;
    return sign * (mant + 1024) * 2 ** (exp - 25);
  }
}

function head(major, n) {
  if (n < 24) return [(major << 5) | n];
  if (n < 256) return [(major << 5) | 24, n];
  if (n < 65536) return [(major << 5) | 25, n >> 8, n & 255];
  return [(major << 5) | 26, (n >>> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The COSE Sig_structure for a COSE_Sign1 (RFC 9052 §4.4): ["Signature1", protected, b"", payload]. */
export function sigStructure(protectedBytes, payload) {
  const context = new TextEncoder().encode('Signature1');
  const parts = [
    head(4, 4),
    head(3, context.length),
    context,
    head(2, protectedBytes.length),
    protectedBytes,
    head(2, 0),
    head(2, payload.length),
    payload,
  ];
  const total = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
