/**
 * A set of trust anchors indexed by subject, parsed lazily.
 *
 * A process that trusts Node's ~150 public roots (or a system bundle) talks
 * to servers chaining to one or two of them. Building the store only decodes
 * PEM and walks each certificate's DER headers to find its subject
 * (der-fields.ts); a root is fully parsed the first time a chain names it as
 * an issuer, and kept. Build a store once and share it: every connection
 * given the same TrustStore object reuses its index and parsed roots.
 *
 * Pure and synchronous like the rest of lib/x509: the node layer hands in
 * `tls.rootCertificates` (lib/node/root-store.ts), the core never reads files.
 */
import { equalBytes } from '../wire/codec.js';
import { bytesKey } from './cache.js';
import { parseCertificate, type Certificate } from './certificate.js';
import { certificateFields } from './der-fields.js';
import { decodePemLabel, isPem, pemText } from './pem.js';

interface Anchor {
  readonly der: Uint8Array;
  /** Set once parsed; `null` when parsing failed (such a root can never anchor a path). */
  cert?: Certificate | null;
}

export class TrustStore {
  private readonly bySubject = new Map<string, Anchor[]>();
  private count = 0;
  private parses = 0;

  /**
   * `sources`: PEM texts (each may hold many CERTIFICATE blocks, as a bundle
   * does; other blocks are skipped) or DER certificates. A certificate whose
   * headers cannot be read throws TlsError here, not at first use.
   */
  constructor(sources: Iterable<string | Uint8Array> = []) {
    for (const source of sources) this.add(source);
  }

  /** A store of already-parsed certificates (a `ca` option): nothing left to parse. */
  static ofCertificates(certs: readonly Certificate[]): TrustStore {
    const store = new TrustStore();
    for (const cert of certs) store.insert({ der: cert.der, cert }, cert.subjectDer);
    return store;
  }

  /** A new store holding this one's anchors and more (e.g. Node's roots plus a private CA). Parsed roots are shared. */
  with(sources: Iterable<string | Uint8Array>): TrustStore {
    const copy = new TrustStore();
    for (const [key, anchors] of this.bySubject) copy.bySubject.set(key, anchors.slice());
    copy.count = this.count;
    for (const source of sources) copy.add(source);
    return copy;
  }

  /** Adds the certificates of one PEM text or one DER certificate (duplicates are kept once). */
  add(source: string | Uint8Array): void {
    const ders = isPem(source) ? decodePemLabel(pemText(source), 'CERTIFICATE') : [new Uint8Array(source as Uint8Array)];
    for (const der of ders) {
      const subject = certificateFields(der).subjectDer;
      if (!this.find(subject, der)) this.insert({ der }, subject);
    }
  }

  /** Number of trust anchors. */
  get size(): number {
    return this.count;
  }

  /** Number of anchors parsed so far (fully decoded for path building); for laziness checks and diagnostics. */
  get parsed(): number {
    return this.parses;
  }

  /** The subject Name (DER) of every anchor, each once: a server's certificate_authorities list. Parses nothing. */
  subjects(): Uint8Array[] {
    return [...this.bySubject.values()].map((anchors) => certificateFields(anchors[0]!.der).subjectDer);
  }

  /** True when `der` is, byte for byte, one of the anchors (a pinned self-signed server certificate). Parses nothing. */
  has(der: Uint8Array): boolean {
    let subject: Uint8Array;
    try {
      subject = certificateFields(der).subjectDer;
    } catch {
      return false;
    }
    return this.find(subject, der) !== undefined;
  }

  private find(subject: Uint8Array, der: Uint8Array): Anchor | undefined {
    return this.bySubject.get(bytesKey(subject))?.find((a) => equalBytes(a.der, der));
  }

  /** The anchors whose subject is `name` (an issuer Name's DER), parsed now if needed; unparsable ones are left out. */
  issuersOf(name: Uint8Array): Certificate[] {
    const anchors = this.bySubject.get(bytesKey(name));
    if (!anchors) return [];
    const out: Certificate[] = [];
    for (const anchor of anchors) {
      if (anchor.cert === undefined) anchor.cert = this.parse(anchor.der);
      if (anchor.cert) out.push(anchor.cert);
    }
    return out;
  }

  private parse(der: Uint8Array): Certificate | null {
    this.parses++;
    try {
      return parseCertificate(der);
    } catch {
      // A root we cannot read anchors nothing; the chain then fails as unknown_ca, naming the issuer.
      return null;
    }
  }

  private insert(anchor: Anchor, subject: Uint8Array): void {
    const key = bytesKey(subject);
    const list = this.bySubject.get(key);
    if (list) list.push(anchor);
    else this.bySubject.set(key, [anchor]);
    this.count++;
  }
}
