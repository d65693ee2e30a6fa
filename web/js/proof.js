// @ts-check
// The bot gate, seen from the page: a booking write answered 403 `proof-required` carries an ALTCHA challenge;
// it is solved in the background (proof-worker.js, in a Web Worker) and the same request sent again with the
// solution in the `Kaleno-Proof` header. The visitor does nothing; a status shows only if it takes a while.

/** @typedef {import("./proof-worker.js").Challenge} Challenge */

import { t } from "./i18n.js";

const PROOF_HEADER = "Kaleno-Proof";
const SLOW_MS = 400; // below this, a status would only flicker
const ATTEMPTS = 3; // a proof refused again (it expired while the phone slept) gets a fresh challenge

/**
 * The challenge a failed call carries, if it was refused for want of a proof.
 * @param {unknown} error
 * @returns {Challenge | null}
 */
export function challengeOf(error) {
  const problem = /** @type {{ status?: number, problem?: { type?: string, challenge?: Challenge } }} */ (error);
  const type = problem?.problem?.type || "";
  return problem?.status === 403 && type.endsWith("/proof-required") && problem.problem?.challenge ? problem.problem.challenge : null;
}

/**
 * Runs `send` (a write taking extra headers); when it is refused for want of a proof, solves the challenge and
 * sends again. `onSlow(true)` once solving has taken noticeable time, `onSlow(false)` when it is done.
 * @template T
 * @param {(headers: Record<string, string>) => Promise<T>} send
 * @param {(slow: boolean) => void} [onSlow]
 * @returns {Promise<T>}
 */
export async function withProof(send, onSlow = () => {}) {
  /** @type {Record<string, string>} */
  let headers = {};
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send(headers);
    } catch (error) {
      const challenge = challengeOf(error);
      if (!challenge || attempt >= ATTEMPTS) throw error;
      headers = { [PROOF_HEADER]: await solved(challenge, onSlow) };
    }
  }
}

/**
 * The header value for a solved challenge: base64 of ALTCHA's JSON payload.
 * @param {Challenge} challenge
 * @param {(slow: boolean) => void} onSlow
 * @returns {Promise<string>}
 */
export async function solved(challenge, onSlow) {
  const timer = setTimeout(() => onSlow(true), SLOW_MS);
  try {
    const number = await solveInBackground(challenge);
    if (number === null) throw new Error(t("The automatic check could not be completed. Please try again."));
    const { algorithm, challenge: hash, salt, signature } = challenge;
    return btoa(JSON.stringify({ algorithm, challenge: hash, number, salt, signature }));
  } finally {
    clearTimeout(timer);
    onSlow(false);
  }
}

/**
 * @param {Challenge} challenge
 * @returns {Promise<number | null>}
 */
function solveInBackground(challenge) {
  let worker;
  try {
    worker = new Worker(new URL("./proof-worker.js", import.meta.url), { type: "module" });
  } catch {
    return import("./proof-worker.js").then(({ findNumber }) => findNumber(challenge)); // no workers here
  }
  return new Promise((resolve, reject) => {
    worker.onmessage = (/** @type {MessageEvent<number | null>} */ message) => {
      worker.terminate();
      resolve(message.data);
    };
    worker.onerror = () => {
      worker.terminate();
      reject(new Error(t("The automatic check could not be completed. Please try again.")));
    };
    worker.postMessage(challenge);
  });
}
