// @ts-check
// Every web client module asks its editor for type checking too (tsc checks them all through tsconfig.json's
// checkJs; the comment makes an editor do the same), and each page loads only modules that exist.
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

test("the pages load existing modules, and never types.js (JSDoc typedefs only)", () => {
  const pages = readdirSync(web).filter((name) => name.endsWith(".html"));
  assert.ok(pages.length >= 5);
  for (const page of pages) {
    const html = readFileSync(new URL(page, web), "utf8");
    for (const [, name] of html.matchAll(/\/web\/js\/([\w-]+\.js)/g)) {
      assert.ok(modules.includes(name), `${page} loads ${name}`);
      assert.notEqual(name, "types.js", page);
    }
  }
  for (const name of modules) {
    const source = readFileSync(new URL(`js/${name}`, web), "utf8");
    assert.doesNotMatch(source, /^import .*["']\.\/types\.js["']/m, `${name} imports types.js at run time`);
  }
});
