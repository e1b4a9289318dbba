#!/usr/bin/env node
// Prints the tree-sitter-bicep syntax tree of the Bicep source on stdin as JSON: every node's type,
// whether it is named, its 1-based line, its text when it is a leaf, and its children. Tests read
// trees through this process: tree-sitter's JS wrapper breaks when a second Jest test file loads it
// again in the same worker (its native binding is loaded once per process).
'use strict';

/** @returns {{type: string, named: boolean, line: number, text?: string, children: object[]}} */
function toJson(node) {
  return {
    type: node.type,
    named: node.isNamed,
    line: node.startPosition.row + 1,
    ...(node.childCount === 0 ? { text: node.text } : {}),
    children: node.children.map(toJson),
  };
}

if (require.main === module) {
  const Parser = require('tree-sitter');
  const parser = new Parser();
  parser.setLanguage(require('tree-sitter-bicep'));
  const source = require('node:fs').readFileSync(0, 'utf8');
  process.stdout.write(JSON.stringify(toJson(parser.parse(source).rootNode)));
}
