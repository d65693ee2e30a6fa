// @ts-check
// Every web client module asks its editor for type checking too (tsc checks them all through tsconfig.json's
// checkJs; the comment makes an editor do the same), and none imports the typedefs at run time.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

const web = new URL("../../web/", import.meta.url);
const modules = readdirSync(new URL("js/", web)).filter((name) => name.endsWith(".js"));

test("every module in web/js starts with // @ts-check", () => {
  assert.ok(modules.length > 20);
  const unchecked = modules.filter((name) => !readFileSync(new URL(`js/${name}`, web), "utf8").startsWith("// @ts-check\n"));
  assert.deepEqual(unchecked, []);
});

// The pages are rendered from templates (shared/web/templates): tests/unit/test_pages.py checks that each loads
// only modules that exist and never types.js; here, that no module imports it at run time.
test("no module imports types.js at run time (JSDoc typedefs only)", () => {
  for (const name of modules) {
    const source = readFileSync(new URL(`js/${name}`, web), "utf8");
    assert.doesNotMatch(source, /^import .*["']\.\/types\.js["']/m, `${name} imports types.js at run time`);
  }
});
