// Reads a Status List Token (CWT) with @owf/token-status-list and the status of each credential given.
// Usage: node read-status.mjs TOKEN_FILE QR_TEXTS_FILE   (one QR text per line)
// Prints JSON: the token's claims as the library decodes them, and per credential its idx, uri and status.
import { readFileSync } from 'node:fs';
import { MediaTypes, StatusList, StatusListCwt } from '@owf/token-status-list';
import { Decoder } from 'cbor-x';
import pako from 'pako';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

function base45Decode(text) {
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const chunk = text.slice(i, i + 3).split('').map((c) => {
      const v = ALPHABET.indexOf(c);
      if (v < 0) throw new Error(`not Base45: ${c}`);
      return v;
    });
    const n = chunk.reduce((acc, v, k) => acc + v * 45 ** k, 0);
    if (chunk.length === 3) out.push(n >> 8, n & 0xff);
    else out.push(n);
  }
  return Uint8Array.from(out);
}

const decoder = new Decoder({ mapsAsObjects: false });
const [tokenFile, qrFile] = process.argv.slice(2);
const token = new Uint8Array(readFileSync(tokenFile));
// @owf/cose registers its own handler for tag 18 in cbor-x; read the untagged array (the tag is one byte 0xd2).
function untag18(bytes) {
  if (bytes[0] !== 0xd2) throw new Error('not a tagged COSE_Sign1');
  return { value: decoder.decode(bytes.subarray(1)) };
}
const sign1 = untag18(token);
const header = decoder.decode(sign1.value[0]);
let claims;
let list;
let libraryCwtError = null;
try {
  // The library's own CWT reader. Its 0.3.0 alpha demands an "aggregation_uri" member, which the draft makes
  // optional (its own encoder writes it as CBOR undefined); when that is the only complaint, read the claims
  // with cbor-x and hand the list to the library's StatusList (decompression and 2-bit entries) below.
  const payload = StatusListCwt.fromToken(token).payload;
  claims = { subject: payload.subject, iat: Math.floor(payload.issuedAt.getTime() / 1000),
    exp: payload.expirationTime ? Math.floor(payload.expirationTime.getTime() / 1000) : null,
    ttl: payload.timeToLive ?? null };
  list = payload.statusList;
} catch (e) {
  libraryCwtError = String(e.message);
  const payload = decoder.decode(sign1.value[2]);
  const body = payload.get(65533);
  claims = { subject: payload.get(2), iat: payload.get(6), exp: payload.get(4) ?? null, ttl: payload.get(65534) ?? null };
  list = StatusList.decompressStatusListFromBytes(body.get('lst'), body.get('bits'));
}
const results = readFileSync(qrFile, 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((qr) => {
    const sign1 = untag18(pako.inflate(base45Decode(qr.trim())));
    const claims = decoder.decode(sign1.value[2]);
    const ref = claims.get(65535).get('status_list');
    const idx = ref.get('idx');
    return { idx, uri: ref.get('uri'), status: list.getStatus(idx) };
  });
console.log(
  JSON.stringify({
    ...claims,
    typ_matches: header.get(16) === MediaTypes.STATUS_LIST_CWT,
    alg: header.get(1),
    library_cwt_error: libraryCwtError,
    results,
  }),
);
