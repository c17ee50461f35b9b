// deployspec for VS Code: runs `deployspec server` for Markdown files through
// vscode-languageclient. The server binary is, in order: the `deployspec.server.path` setting,
// the binary bundled in this extension (`server/deployspec`), `deployspec` on PATH.
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ResponseError,
  ServerOptions,
} from 'vscode-languageclient/node';

const SECTION = 'deployspec';
/** Settings the server reads (`workspace/configuration`, section `deployspec`). The others
 *  (`server.path`, `trace.server`) belong to this extension: the server rejects unknown keys. */
const SERVER_KEYS = ['rules', 'features', 'spec_root'] as const;

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

/** Where the server comes from, for messages. */
interface Resolved {
  command: string;
  origin: string;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

/** The server binary, or an error message that names the setting to fix. */
export function resolveServer(
  configured: string,
  bundled: string,
  lookup: (name: string) => string | undefined = onPath,
): Resolved | { error: string } {
  if (configured.trim() !== '') {
    const p = configured.trim();
    if (isExecutable(p)) return { command: p, origin: 'deployspec.server.path' };
    return {
      error: `deployspec: "deployspec.server.path" is set to ${p}, which is not an executable file. Correct the setting, or clear it to use the bundled server.`,
    };
  }
  if (isExecutable(bundled)) return { command: bundled, origin: 'bundled' };
  const found = lookup('deployspec');
  if (found) return { command: found, origin: 'PATH' };
  return {
    error:
      'deployspec: no server found. This extension has no bundled binary for this platform and `deployspec` is not on PATH: install it (`cargo install --path .` in the deployspec repository) or set "deployspec.server.path".',
  };
}

/** The settings the server should see: only what the user set (user, workspace or folder), so
 *  that `.deployspec.toml` stays in force for everything else. */
export function serverSettings(cfg: vscode.WorkspaceConfiguration): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of SERVER_KEYS) {
    const i = cfg.inspect(key);
    const v = i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
    if (v === undefined || v === null) continue;
    if (key === 'spec_root' && v === '') continue;
    out[key] = v;
  }
  return out;
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const bundled = context.asAbsolutePath(path.join('server', 'deployspec'));
  const resolved = resolveServer(cfg.get<string>('server.path', ''), bundled);
  if ('error' in resolved) {
    output?.appendLine(resolved.error);
    void vscode.window.showErrorMessage(resolved.error, 'Open Settings').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'deployspec.server.path');
    });
    return;
  }
  output?.appendLine(`deployspec: starting ${resolved.command} server (${resolved.origin})`);
  // No `transport` on purpose: with TransportKind.stdio the client appends `--stdio`.
  const serverOptions: ServerOptions = { command: resolved.command, args: ['server'] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'markdown' },
      { scheme: 'untitled', language: 'markdown' },
    ],
    outputChannel: output,
    middleware: {
      workspace: {
        // Answer `workspace/configuration` for our section with the server's keys only.
        configuration: async (params, token, next) => {
          const answers: unknown = await next(params, token);
          if (!Array.isArray(answers)) return answers as ResponseError<void>;
          return params.items.map((item, i): unknown => {
            if (item.section !== SECTION) return answers[i] as unknown;
            const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
            return serverSettings(vscode.workspace.getConfiguration(SECTION, scope));
          });
        },
      },
    },
  };
  client = new LanguageClient('deployspec', 'deployspec', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    const msg = `deployspec: the server (${resolved.command}, from ${resolved.origin}) failed to start: ${e instanceof Error ? e.message : String(e)}. Check "deployspec.server.path".`;
    output?.appendLine(msg);
    void vscode.window.showErrorMessage(msg);
  }
}

async function stop(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(2000);
    } catch {
      // already stopped or never started
    }
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel('deployspec');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('deployspec.restart', async () => {
      await stop();
      await start(context);
    }),
    vscode.commands.registerCommand('deployspec.showOutput', () => output?.show(true)),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      if (e.affectsConfiguration(`${SECTION}.server.path`)) {
        await stop();
        await start(context);
        return;
      }
      // Settings reach the running server: it re-checks open files and answers pulls anew.
      if (client?.isRunning()) {
        const settings = { [SECTION]: serverSettings(vscode.workspace.getConfiguration(SECTION)) };
        output?.appendLine(`deployspec: settings changed: ${JSON.stringify(settings[SECTION])}`);
        await client.sendNotification(DidChangeConfigurationNotification.type, { settings });
      }
    }),
  );
  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}
