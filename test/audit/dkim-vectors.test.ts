// The DKIM key-record vectors (test/fixtures/conformance/dkim) through our key rule. The vectors suggest ids
// DKIM-NN; ours are the stable dkim-* ids below.
import { describe, expect, it } from 'vitest';
import { lintDkimKey, type DkimRuleId } from '../../src/audit/dkim/key.ts';
import { RULES } from '../../src/audit/registry.ts';
import { loadYaml } from './conformance-data.ts';

const VECTOR_IDS: Record<string, DkimRuleId> = {
  'DKIM-02': 'dkim-syntax',
  'DKIM-03': 'dkim-revoked',
  'DKIM-04': 'dkim-key-type',
  'DKIM-05': 'dkim-rsa-too-short',
  'DKIM-06': 'dkim-rsa-below-2048',
  'DKIM-07': 'dkim-testing',
  'DKIM-08': 'dkim-sha1-only',
  'DKIM-09': 'dkim-service-not-email',
  'DKIM-10': 'dkim-string-too-long',
  'DKIM-13': 'dkim-ed25519-only',
};

interface Vector {
  id: string;
  name: string;
  txt: string[];
  facts: { key_bits?: number };
  expect: { syntax_valid: boolean; verifier_accepts?: boolean; findings?: { id: string; severity: string }[] };
}

const { vectors } = loadYaml('dkim/dkim-key-record-vectors.yml') as { vectors: Vector[] };

describe('DKIM key-record vectors', () => {
  it('loads every vector', () => expect(vectors.length).toBeGreaterThanOrEqual(17));
  for (const vector of vectors) {
    it(vector.id, () => {
      const verdict = lintDkimKey(vector.txt);
      const expected = (vector.expect.findings ?? []).map((finding) => {
        const id = VECTOR_IDS[finding.id];
        if (!id) throw new Error(`no mapping for ${finding.id}`);
        // the severity the vector suggests is the severity our registry gives that rule
        expect(RULES.find((rule) => rule.id === id)?.severity, `${id} severity`).toBe(finding.severity);
        return id;
      });
      expect(verdict.findings.map((f) => f.id).sort()).toEqual([...expected].sort());
      expect(verdict.syntaxValid).toBe(vector.expect.syntax_valid);
      if (vector.expect.verifier_accepts !== undefined) expect(verdict.usable).toBe(vector.expect.verifier_accepts);
      if (vector.facts.key_bits !== undefined && verdict.syntaxValid && verdict.keyType === 'rsa') expect(verdict.rsaBits).toBe(vector.facts.key_bits);
    });
  }
});
