// @ts-check
// A host's brand colour: its contrast as the server judges it (WCAG 2.x, shared/domain/brand.py), so the
// dashboard can show a colour's verdict while it is chosen, and the public pages' use of it.

export const AA_MINIMUM = 4.5;
const WHITE = "#ffffff";
const COLOR = /^#[0-9a-f]{6}$/i;

/** @param {string} color "#rrggbb" @returns {number[]} */
const channels = (color) => [1, 3, 5].map((at) => parseInt(color.slice(at, at + 2), 16));

/** @param {number[]} values @returns {string} */
const hex = (values) => `#${values.map((value) => Math.round(value).toString(16).padStart(2, "0")).join("")}`;

/**
 * WCAG 2.x relative luminance, 0 (black) to 1 (white).
 * @param {string} color "#rrggbb"
 */
export function luminance(color) {
  const [red, green, blue] = channels(color)
    .map((channel) => channel / 255)
    .map((value) => (value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4));
  return 0.2126 * red + 0.7152 * green + 0.0722 * blue;
}

/**
 * @param {string} first
 * @param {string} second
 */
export function contrast(first, second) {
  const [lighter, darker] = [luminance(first), luminance(second)].sort((a, b) => b - a);
  return (lighter + 0.05) / (darker + 0.05);
}

/**
 * The worse of the colour's two uses on a public page: white text on it, and it as text on the white page.
 * @param {string} color
 */
export const brandContrast = (color) => Math.min(contrast(WHITE, color), contrast(color, WHITE));

/**
 * The lightest shade of the colour (its channels scaled down together: the same hue) that passes; as the server
 * suggests it.
 * @param {string} color
 */
export function nearestReadable(color) {
  const steps = 512;
  for (let step = 0; step <= steps; step += 1) {
    const shade = hex(channels(color).map((channel) => channel * (1 - step / steps)));
    if (brandContrast(shade) >= AA_MINIMUM) return shade;
  }
  return "#000000";
}

/**
 * The colour's tint for highlighted backgrounds (free days, the chosen time): as much of it as still keeps the
 * colour itself readable on it, else white.
 * @param {string} color
 */
export function brandWash(color) {
  for (let percent = 14; percent > 0; percent -= 1) {
    const tint = hex(channels(color).map((channel) => channel * (percent / 100) + 255 * (1 - percent / 100)));
    if (contrast(color, tint) >= AA_MINIMUM) return tint;
  }
  return WHITE;
}

/**
 * Shows the host's colour on this page: custom properties set through the CSSOM (the Content-Security-Policy
 * refuses style attributes), used by web/app.css in the light scheme (`:root[data-brand]`).
 * @param {string | null | undefined} color
 */
export function applyBrand(color) {
  if (!color || !COLOR.test(color)) return;
  const root = document.documentElement;
  root.style.setProperty("--brand", color);
  root.style.setProperty("--brand-wash", brandWash(color));
  root.dataset.brand = "";
}
