#!/usr/bin/env node
// The extension's manifest against the server it ships, and the .vsix contents.
//   node test/manifest.js DEPLOYSPEC_BIN [VSIX]
// - every rule the server knows has a `deployspec.rules` setting with the same levels, and no
//   setting names a rule the server does not know;
// - `deployspec.features` lists exactly the server's feature switches;
// - the .vsix holds the bundled server (executable), the bundle, the schema, and no node_modules.
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const [bin, vsix] = process.argv.slice(2);
if (!bin) { console.error('usage: manifest.js DEPLOYSPEC_BIN [VSIX]'); process.exit(2); }
const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
const schema = JSON.parse(execFileSync(bin, ['config-schema'], { encoding: 'utf8' }));
const props = pkg.contributes.configuration.properties;
let passed = 0;
let failed = 0;
function check(name, ok, detail) {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${ok ? '' : `\n  ${detail}`}`);
}

const codes = (o) => Object.keys(o || {}).filter((k) => /^DP\d{3}$/.test(k)).sort();
const serverRules = schema.properties.rules.properties;
const ours = props['deployspec.rules'].properties;
check('deployspec.rules has one setting per server rule', JSON.stringify(codes(ours)) === JSON.stringify(codes(serverRules)),
  `extension: ${codes(ours)}; server: ${codes(serverRules)}`);
const levels = JSON.stringify(serverRules.DP001.enum);
check('rule levels match the server\'s', codes(ours).every((c) => JSON.stringify(ours[c].enum) === levels), levels);
const feats = (o) => Object.keys(o || {}).sort();
const featSchema = schema.properties.features.anyOf
  ? schema.$defs.Features.properties
  : (schema.properties.features.properties || (schema.$defs && schema.$defs.Features && schema.$defs.Features.properties));
check('deployspec.features lists the server\'s feature switches', JSON.stringify(feats(props['deployspec.features'].properties)) === JSON.stringify(feats(featSchema)),
  `extension: ${feats(props['deployspec.features'].properties)}; server: ${feats(featSchema)}`);
for (const k of ['deployspec.rules', 'deployspec.features', 'deployspec.spec_root', 'deployspec.server.path', 'deployspec.trace.server']) {
  check(`setting ${k} is described`, props[k] && (props[k].description || props[k].markdownDescription), 'missing');
}
const cmds = pkg.contributes.commands.map((c) => c.command).sort();
check('commands: restart, show output', JSON.stringify(cmds) === JSON.stringify(['deployspec.restart', 'deployspec.showOutput']), cmds);
check('tomlValidation offers the schema for .deployspec.toml', pkg.contributes.tomlValidation.some((t) => t.fileMatch === '.deployspec.toml'), '');

if (vsix) {
  const list = execFileSync('unzip', ['-Z', '-l', vsix], { encoding: 'utf8' }).split('\n');
  const entry = (name) => list.find((l) => l.trim().endsWith(` ${name}`));
  const server = entry('extension/server/deployspec');
  check('the .vsix bundles server/deployspec, executable', server && /^-rwx/.test(server.trim()), server || 'absent');
  for (const f of ['extension/dist/extension.js', 'extension/schemas/deployspec.schema.json', 'extension/package.json']) {
    check(`the .vsix holds ${f}`, !!entry(f), 'absent');
  }
  check('the .vsix holds no node_modules or sources', !list.some((l) => /node_modules|extension\/src\/|\.ts$/.test(l)), '');
}
console.log(`manifest: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
