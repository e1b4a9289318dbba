#!/usr/bin/env node
// Syntax check for every .bicep file under infra/ with tree-sitter-bicep (no Bicep CLI offline).
// Exits 1 listing each ERROR or MISSING node. The tree-sitter native module needs Node 22
// (node_modules/.bin/node, which npm scripts put first on PATH).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Every .bicep file below dir, sorted. */
function bicepFiles(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.bicep'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** ERROR and MISSING nodes in one Bicep source, as "line:column message" (1-based). */
function bicepSyntaxErrors(source) {
  const Parser = require('tree-sitter');
  const parser = new Parser();
  parser.setLanguage(require('tree-sitter-bicep'));
  const errors = [];
  const visit = (node) => {
    if (node.isMissing || node.type === 'ERROR') {
      const { row, column } = node.startPosition;
      const what = node.isMissing ? `missing ${node.type}` : `unexpected ${JSON.stringify(node.text.slice(0, 40))}`;
      errors.push(`${row + 1}:${column + 1} ${what}`);
    }
    if (node.hasError) node.children.forEach(visit);
  };
  visit(parser.parse(source).rootNode);
  return errors;
}

module.exports = { bicepFiles, bicepSyntaxErrors };

if (require.main === module) {
  const root = path.resolve(__dirname, '..', process.argv[2] || 'infra');
  let failed = 0;
  for (const file of bicepFiles(root)) {
    for (const error of bicepSyntaxErrors(fs.readFileSync(file, 'utf8'))) {
      console.error(`${path.relative(process.cwd(), file)}:${error}`);
      failed++;
    }
  }
  if (failed) process.exit(1);
}
