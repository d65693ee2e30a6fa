// @ts-check
// web/js/brand.js: a brand colour's contrast as the server judges it (shared/domain/brand.py, tests/unit/test_brand.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { AA_MINIMUM, brandContrast, brandWash, contrast, luminance, nearestReadable } from "../../web/js/brand.js";

test("contrast matches the known WCAG pairs", () => {
  assert.equal(luminance("#000000"), 0);
  assert.equal(contrast("#000000", "#ffffff").toFixed(2), "21.00");
  assert.equal(contrast("#777777", "#ffffff").toFixed(2), "4.48");
  assert.equal(contrast("#ffffff", "#767676").toFixed(2), "4.54");
  assert.equal(contrast("#0000ff", "#ffffff").toFixed(2), "8.59");
});

test("a colour passes only when both its uses reach AA", () => {
  assert.ok(brandContrast("#767676") >= AA_MINIMUM);
  assert.ok(brandContrast("#777777") < AA_MINIMUM);
});

test("the suggested shade is the server's", () => {
  // The same values shared/domain/brand.py nearest_readable gives.
  assert.equal(nearestReadable("#777777"), "#767676");
  assert.equal(nearestReadable("#ffcc00"), "#907300");
  assert.equal(nearestReadable("#ff5a5f"), "#cd484c");
  assert.equal(nearestReadable("#4caf50"), "#3a863d");
});

test("the wash under a colour keeps the colour readable on it", () => {
  for (const color of ["#767676", "#0b57d0", "#000000", "#3a863d"]) {
    assert.ok(contrast(color, brandWash(color)) >= AA_MINIMUM, color);
  }
  assert.ok(luminance(brandWash("#767676")) > luminance(brandWash("#000000"))); // a colour near the limit: barely tinted
  assert.notEqual(brandWash("#000000"), "#ffffff");
});
