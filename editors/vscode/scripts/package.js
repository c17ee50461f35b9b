// `npm run package`: bundle the extension, copy the deployspec release binary into server/,
// write the .deployspec.toml JSON Schema for tomlValidation, and package a linux-x64 .vsix
// (a platform-specific package, as extensions that ship a native server do).
//   DEPLOYSPEC_BIN  the binary to bundle (default: ../../target/release/deployspec)
//   VSIX_OUT        output path (default: deployspec-linux-x64.vsix here)
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const here = path.resolve(__dirname, '..');
const bin = path.resolve(process.env.DEPLOYSPEC_BIN || path.join(here, '../../target/release/deployspec'));
const out = path.resolve(process.env.VSIX_OUT || path.join(here, 'deployspec-linux-x64.vsix'));

if (!fs.existsSync(bin)) {
  console.error(`package: no deployspec binary at ${bin}. Run \`cargo build --release\` at the repository root, or set DEPLOYSPEC_BIN.`);
  process.exit(1);
}
fs.mkdirSync(path.join(here, 'server'), { recursive: true });
fs.copyFileSync(bin, path.join(here, 'server/deployspec'));
fs.chmodSync(path.join(here, 'server/deployspec'), 0o755);

fs.mkdirSync(path.join(here, 'schemas'), { recursive: true });
const schema = execFileSync(bin, ['config-schema'], { encoding: 'utf8' });
JSON.parse(schema); // fail here, not in the user's editor, if it is not JSON
fs.writeFileSync(path.join(here, 'schemas/deployspec.schema.json'), schema);

const run = (cmd, args) => execFileSync(path.join(here, 'node_modules/.bin', cmd), args, { cwd: here, stdio: 'inherit' });
run('esbuild', ['src/extension.ts', '--bundle', '--platform=node', '--format=cjs', '--target=node18',
  '--external:vscode', '--outfile=dist/extension.js', '--minify', '--log-level=warning']);
run('vsce', ['package', '--target', 'linux-x64', '--no-dependencies', '-o', out]);
console.log(`package: ${out} (${Math.round(fs.statSync(out).size / 1024)} KiB)`);
