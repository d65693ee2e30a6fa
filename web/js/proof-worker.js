// @ts-check
// The bot gate's solver: find the number n in [0, maxNumber] whose SHA-256 of `salt + n` is the challenge
// (ALTCHA's proof of work). Runs in a Web Worker (proof.js), so the page stays responsive; also importable
// as a module where workers are unavailable. SHA-256 is written out here because Web Crypto's digest is one
// promise per try: for 40-byte messages a plain loop is several times faster.

/** @typedef {{ algorithm: string, challenge: string, maxNumber: number, salt: string, signature: string }} Challenge */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const W = new Uint32Array(64);
const H = new Uint32Array(8);

/**
 * SHA-256 of the first `length` bytes of `message` (which has room for the padding) into H.
 * @param {Uint8Array} message
 * @param {number} length
 */
function sha256(message, length) {
  const blocks = Math.ceil((length + 9) / 64);
  message.fill(0, length, blocks * 64);
  message[length] = 0x80;
  const bits = length * 8;
  message[blocks * 64 - 4] = bits >>> 24;
  message[blocks * 64 - 3] = bits >>> 16;
  message[blocks * 64 - 2] = bits >>> 8;
  message[blocks * 64 - 1] = bits;
  H.set(INITIAL);
  for (let block = 0; block < blocks; block += 1) {
    const at = block * 64;
    for (let i = 0; i < 16; i += 1) {
      const j = at + i * 4;
      W[i] = (message[j] << 24) | (message[j + 1] << 16) | (message[j + 2] << 8) | message[j + 3];
    }
    for (let i = 16; i < 64; i += 1) {
      const x = W[i - 15];
      const y = W[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      W[i] = W[i - 16] + s0 + W[i - 7] + s1;
    }
    let a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
    for (let i = 0; i < 64; i += 1) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
  }
}

/**
 * The number that solves the challenge, or null if none in range (a challenge we cannot solve).
 * @param {Challenge} challenge
 * @returns {number | null}
 */
export function findNumber(challenge) {
  if (challenge.algorithm !== "SHA-256" || !/^[0-9a-f]{64}$/.test(challenge.challenge)) return null;
  const target = new Uint32Array(8);
  for (let i = 0; i < 8; i += 1) target[i] = parseInt(challenge.challenge.slice(i * 8, i * 8 + 8), 16);
  const salt = new TextEncoder().encode(challenge.salt);
  const message = new Uint8Array(salt.length + 16 + 72);
  message.set(salt);
  const digits = new Uint8Array(16);
  for (let n = 0; n <= challenge.maxNumber; n += 1) {
    let length = 0;
    let rest = n;
    do {
      digits[length] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
      length += 1;
    } while (rest > 0);
    for (let i = 0; i < length; i += 1) message[salt.length + i] = digits[length - 1 - i];
    sha256(message, salt.length + length);
    if (H[0] === target[0] && H[1] === target[1] && H[2] === target[2] && H[3] === target[3] &&
        H[4] === target[4] && H[5] === target[5] && H[6] === target[6] && H[7] === target[7]) return n;
  }
  return null;
}

// In a worker: one challenge in, its number (or null) out.
const scope = /** @type {any} */ (globalThis);
if (typeof scope.WorkerGlobalScope !== "undefined" && scope instanceof scope.WorkerGlobalScope) {
  scope.onmessage = (/** @type {MessageEvent<Challenge>} */ message) => scope.postMessage(findNumber(message.data));
}
