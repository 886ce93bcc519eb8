// A throw-away PKI made with the openssl CLI in a temp dir: a test CA and leaf certificates
// (good, expired, expiring soon, wrong name, self-signed). EC P-256 keys: fast to make and use.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../temp-dir.ts';

export interface KeyPair {
  key: string;
  cert: string;
  certFile: string;
  keyFile: string;
}

export interface TestPki {
  dir: string;
  caFile: string;
  ca: string;
  /** signed by the test CA, valid 365 days, SAN = the name */
  leaf(name: string, options?: { days?: number; san?: string[] }): KeyPair;
  /** signed by the test CA, valid only in 2020 */
  expired(name: string): KeyPair;
  /** self-signed, 365 days */
  selfSigned(name: string): KeyPair;
  /** a valid leaf signed by an intermediate CA that expired in 2021; `cert` holds leaf + intermediate */
  viaExpiredIntermediate(name: string): KeyPair;
  cleanup(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const CA_CONFIG = `[ ca ]
default_ca = test
[ test ]
dir = .
database = db/index.txt
new_certs_dir = db
serial = db/serial
default_md = sha256
policy = anything
unique_subject = no
[ anything ]
commonName = supplied
`;

export function makeTestPki(): TestPki {
  const dir = tempDir('mxpool-pki-');
  mkdirSync(join(dir, 'db'));
  writeFileSync(join(dir, 'db/index.txt'), '');
  writeFileSync(join(dir, 'db/serial'), '1000\n');
  writeFileSync(join(dir, 'ca.cnf'), CA_CONFIG);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '3650', '-subj', '/CN=mxpool test CA']);
  let counter = 0;

  const request = (name: string, san: string[]) => {
    const base = `c${++counter}`;
    openssl(dir, ['req', '-new', ...ec, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${name}`]);
    writeFileSync(join(dir, `${base}.ext`), `subjectAltName=${san.map((n) => `DNS:${n}`).join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
    return base;
  };
  const pair = (base: string): KeyPair => ({
    key: readFileSync(join(dir, `${base}.key`), 'utf8'),
    cert: readFileSync(join(dir, `${base}.pem`), 'utf8'),
    keyFile: join(dir, `${base}.key`),
    certFile: join(dir, `${base}.pem`),
  });

  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    ca: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    leaf(name, options = {}) {
      const base = request(name, options.san ?? [name]);
      openssl(dir, ['x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(1000 + counter), '-days', String(options.days ?? 365), '-extfile', `${base}.ext`, '-out', `${base}.pem`]);
      return pair(base);
    },
    expired(name) {
      const base = request(name, [name]);
      openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${base}.csr`, '-startdate', '20200101000000Z', '-enddate', '20210101000000Z', '-extfile', `${base}.ext`, '-out', `${base}.pem`]);
      return pair(base);
    },
    viaExpiredIntermediate(name) {
      const inter = `c${++counter}`;
      openssl(dir, ['req', '-new', ...ec, '-keyout', `${inter}.key`, '-out', `${inter}.csr`, '-subj', '/CN=mxpool test intermediate']);
      writeFileSync(join(dir, `${inter}.ext`), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
      openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${inter}.csr`, '-startdate', '20200101000000Z', '-enddate', '20210101000000Z', '-extfile', `${inter}.ext`, '-out', `${inter}.pem`]);
      const base = request(name, [name]);
      openssl(dir, ['x509', '-req', '-in', `${base}.csr`, '-CA', `${inter}.pem`, '-CAkey', `${inter}.key`, '-set_serial', String(1000 + counter), '-days', '365', '-extfile', `${base}.ext`, '-out', `${base}.pem`]);
      const leaf = pair(base);
      const chain = leaf.cert + readFileSync(join(dir, `${inter}.pem`), 'utf8');
      writeFileSync(leaf.certFile, chain);
      return { ...leaf, cert: chain };
    },
    selfSigned(name) {
      const base = `c${++counter}`;
      openssl(dir, ['req', '-x509', ...ec, '-keyout', `${base}.key`, '-out', `${base}.pem`, '-days', '365', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`]);
      return pair(base);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
