/** Running the `rxtls` command line from specs: one-shot runs, a server that listens, https.get against it. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { fixturePath } from '../support/fixtures.js';
import { freePort } from './peers.js';

export const BIN = fileURLToPath(new URL('../../bin/rxtls.ts', import.meta.url));
export const CA = fixturePath('ca.pem');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function rxtls(args: string[], input = '', env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { stdio: 'pipe', env });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => (p.kill('SIGKILL'), reject(new Error(`rxtls ${args.join(' ')} timed out: ${stderr}`))), 20_000);
    p.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
    p.stdin.end(input);
  });
}

/** Starts `rxtls server` and resolves once it says it listens. */
export async function rxtlsServer(args: string[]): Promise<{ proc: ChildProcess; port: number; stderr: () => string }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', BIN, 'server', '--port', String(port), ...args], { stdio: 'pipe' });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`rxtls server did not start: ${stderr}`)), 20_000);
    proc.stderr!.on('data', (d) => {
      stderr += d;
      if (stderr.includes('listening on')) (clearTimeout(timer), resolve());
    });
    proc.on('exit', () => reject(new Error(`rxtls server exited: ${stderr}`)));
  });
  return { proc, port, stderr: () => stderr };
}

export function httpsGet(port: number, extra: https.RequestOptions = {}): Promise<{ status?: number; body: string; alpn: string | false | null | undefined }> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions & { ALPNProtocols: string[] } = {
      host: '127.0.0.1', port, servername: 'localhost', ca: readFileSync(CA), path: '/', agent: false, ALPNProtocols: ['http/1.1'], ...extra,
    };
    const req = https.get(options, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body, alpn: (res.socket as import('node:tls').TLSSocket).alpnProtocol }));
    });
    req.on('error', reject);
  });
}
