/**
 * Thin variants of @peculiar/asn1-x509 schemas that keep the original bytes
 * we need. Signatures are over the exact TBSCertificate bytes and issuer/subject
 * chaining compares Name bytes, so re-encoding a parsed value could silently
 * change what we check; we take the bytes as they were sent instead.
 *
 * The upstream schemas are reused by subclassing: asn1-schema copies the
 * parent's field list, and we only override the fields whose handling differs.
 * Decorators are applied as plain calls (no experimentalDecorators needed).
 */
import { AsnParser, AsnProp, AsnPropTypes, AsnType, AsnTypeTypes, AsnArray } from '@peculiar/asn1-schema';
import { Certificate, GeneralName, GeneralSubtree, Name, NameConstraints, TBSCertificate } from '@peculiar/asn1-x509';

/** TBSCertificate whose issuer/subject also yield `issuerRaw`/`subjectRaw`. */
export class RawTbsCertificate extends TBSCertificate {
  declare issuerRaw?: Uint8Array;
  declare subjectRaw?: Uint8Array;
}
AsnProp({ type: Name, raw: true })(RawTbsCertificate.prototype, 'issuer');
AsnProp({ type: Name, raw: true })(RawTbsCertificate.prototype, 'subject');

/** Certificate whose tbsCertificate is a RawTbsCertificate; `tbsCertificateRaw` is set by the parent schema. */
export class RawCertificate extends Certificate {
  declare tbsCertificate: RawTbsCertificate;
}
AsnProp({ type: RawTbsCertificate, raw: true })(RawCertificate.prototype, 'tbsCertificate');

/**
 * GeneralName with iPAddress kept as raw octets: upstream converts it to text,
 * which is lossy for malformed lengths; we compare addresses byte-wise.
 */
export class RawGeneralName extends GeneralName {}
// Same tag as upstream; only the converter changes (value becomes an ArrayBuffer).
AsnProp({ type: AsnPropTypes.OctetString, context: 7, implicit: true })(RawGeneralName.prototype, 'iPAddress');
AsnType({ type: AsnTypeTypes.Choice })(RawGeneralName);

export class RawGeneralNames extends AsnArray<RawGeneralName> {
  constructor(items?: RawGeneralName[]) {
    super(items);
    Object.setPrototypeOf(this, RawGeneralNames.prototype);
  }
}
AsnType({ type: AsnTypeTypes.Sequence, itemType: RawGeneralName })(RawGeneralNames);

/** GeneralSubtree whose base keeps iPAddress raw: a constraint is 8 or 32 bytes (address and mask), not an address. */
export class RawGeneralSubtree extends GeneralSubtree {
  declare base: RawGeneralName;
}
AsnProp({ type: RawGeneralName })(RawGeneralSubtree.prototype, 'base');

export class RawGeneralSubtrees extends AsnArray<RawGeneralSubtree> {
  constructor(items?: RawGeneralSubtree[]) {
    super(items);
    Object.setPrototypeOf(this, RawGeneralSubtrees.prototype);
  }
}
AsnType({ type: AsnTypeTypes.Sequence, itemType: RawGeneralSubtree })(RawGeneralSubtrees);

/** NameConstraints (RFC 5280 §4.2.1.10) over RawGeneralSubtrees. */
export class RawNameConstraints extends NameConstraints {
  declare permittedSubtrees?: RawGeneralSubtrees;
  declare excludedSubtrees?: RawGeneralSubtrees;
}
AsnProp({ type: RawGeneralSubtrees, context: 0, optional: true, implicit: true })(RawNameConstraints.prototype, 'permittedSubtrees');
AsnProp({ type: RawGeneralSubtrees, context: 1, optional: true, implicit: true })(RawNameConstraints.prototype, 'excludedSubtrees');

/** asn1js limits for untrusted input: no deep nesting or node floods. */
export const berOptions = { maxDepth: 32, maxNodes: 20_000 } as const;

export function parseAsn<T>(data: Uint8Array, target: new () => T): T {
  return AsnParser.parse(data, target, { berOptions });
}
