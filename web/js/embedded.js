// @ts-check
// The booking and host pages inside another site's frame (web/js/embed.js frames them at `?embed=1`): the page
// tells its parent its height whenever it changes, that Escape was pressed, and the booking made (its id and time),
// nothing else; only to the embedding page's origin (`?origin=`), never to "*", so no other page the frame finds
// itself in learns anything.

const query = new URLSearchParams(location.search);
export const embedded = query.get("embed") === "1";
const parentOrigin = embedded && window.parent !== window ? originOf(query.get("origin")) : null;

/**
 * `text` if it is exactly an http(s) origin ("https://example.com"), else null.
 * @param {string | null} text
 * @returns {string | null}
 */
function originOf(text) {
  try {
    const url = new URL(text ?? "");
    return /^https?:$/.test(url.protocol) && url.origin === text ? text : null;
  } catch {
    return null;
  }
}

/**
 * Post a message to the embedding page, if its origin is known (else to no one).
 * @param {{type: string} & Record<string, unknown>} message
 */
export function tellParent(message) {
  if (parentOrigin) window.parent.postMessage(message, parentOrigin);
}

/** Framed: the page's height, each time it changes, so the frame fits it and never scrolls inside; and Escape. */
export function reportHeight() {
  passEscape();
  if (!parentOrigin) return;
  let last = -1;
  new ResizeObserver(() => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== last) tellParent({ type: "kaleno:resize", height: (last = height) });
  }).observe(document.body);
}

/** Framed: Escape pressed in the page closes the popup holding it (embed.js), as it would outside the frame. */
function passEscape() {
  if (!parentOrigin) return;
  addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) tellParent({ type: "kaleno:escape" });
  });
}

/**
 * A booking was made: the parent learns its id and time, which it could not see, and nothing about who booked.
 * @param {{id: string, start: string, end: string}} booking
 */
export const tellBooked = ({ id, start, end }) => tellParent({ type: "kaleno:booked", booking: { id, start, end } });
