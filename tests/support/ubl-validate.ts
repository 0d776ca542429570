// Offline validation of UBL 2.1 Invoice / CreditNote documents in tests: the UBL 2.1 XSD, then the
// official schematron rules (compiled to XSLT) run by Saxon-HE. Needs `bash scripts/install-validators.sh`
// (Java 11+ and Maven), which writes .tools/validators.env.
//
// Rule sets are chosen from the document's CustomizationID unless `ruleSets` is given:
//   - SI-UBL 2.0 / NLCIUS  (…#compliant#urn:fdc:nen.nl:nlcius:v1.0, …#conformant#urn:fdc:nen.nl:gaccount:v1.0)
//       -> 'nlcius' (the SI-UBL XSLT already contains the CEN EN 16931 rules plus the BR-NL rules)
//   - anything else (Peppol BIS Billing 3.0) -> 'en16931' + 'peppol' (as the Peppol validators do)
// The two cannot both pass on one document: each asserts its own CustomizationID
// (PEPPOL-EN16931-R004 vs SI-V20-INV-R000).
import { execFile } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export type UblKind = 'Invoice' | 'CreditNote';
export type RuleSet = 'en16931' | 'peppol' | 'nlcius';

export interface RuleMessage {
  rule: string;
  text: string;
  location: string;
  flag: string;
  /** Which rule set (see RuleSet) reported it. */
  ruleSet: RuleSet;
}

export interface UblValidationResult {
  xsdErrors: string[];
  fatal: RuleMessage[];
  warnings: RuleMessage[];
  ruleSets: RuleSet[];
}

export interface ValidateOptions {
  ruleSets?: RuleSet[];
}

export const VALIDATORS_ENV_FILE = path.join(__dirname, '..', '..', '.tools', 'validators.env');

interface SvrlEntry {
  id: string;
  flag: string;
  location: string;
  test: string;
  text: string;
}

interface ValidatorOutput {
  xsd: string[];
  schematron: { xslt: string; failed: SvrlEntry[]; warnings: SvrlEntry[] }[];
}

let cachedEnv: Record<string, string> | undefined;

export function readValidatorsEnv(): Record<string, string> {
  if (cachedEnv) return cachedEnv;
  let text: string;
  try {
    text = readFileSync(VALIDATORS_ENV_FILE, 'utf8');
  } catch {
    throw new Error(`${VALIDATORS_ENV_FILE} is missing: run \`bash scripts/install-validators.sh\` (needs Java and Maven)`);
  }
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  cachedEnv = env;
  return env;
}

/** True when the validators are installed (for `describe.skip`-style guards). */
const XSLT_KEY: Record<RuleSet, string> = {
  en16931: 'EN16931_UBL_XSLT',
  peppol: 'PEPPOL_XSLT',
  nlcius: 'NLCIUS_XSLT',
};

export function defaultRuleSets(xml: string): RuleSet[] {
  const m = /<(?:[\w.-]+:)?CustomizationID[^>]*>([^<]*)</.exec(xml);
  const id = m ? m[1].trim() : '';
  if (id.includes('urn:fdc:nen.nl:nlcius:') || id.includes('urn:fdc:nen.nl:gaccount:')) return ['nlcius'];
  return ['en16931', 'peppol'];
}

function need(env: Record<string, string>, key: string): string {
  const v = env[key];
  if (!v) throw new Error(`${key} missing from ${VALIDATORS_ENV_FILE}: rerun \`bash scripts/install-validators.sh\``);
  return v;
}

export async function validateUbl(xml: string, kind: UblKind, options: ValidateOptions = {}): Promise<UblValidationResult> {
  const env = readValidatorsEnv();
  const ruleSets = options.ruleSets ?? defaultRuleSets(xml);
  const xsd = need(env, kind === 'Invoice' ? 'UBL_INVOICE_XSD' : 'UBL_CREDITNOTE_XSD');
  const xslts = ruleSets.map((r) => need(env, XSLT_KEY[r]));
  const classpath = env.VALIDATOR_CLASSPATH ?? need(env, 'SAXON_JAR');
  const program = env.VALIDATE_JAVA ?? path.join(__dirname, '..', '..', 'scripts', 'validators', 'Validate.java');

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'eenvoud-ubl-'));
  const file = path.join(dir, `${kind}.xml`);
  try {
    await fs.writeFile(file, xml, 'utf8');
    const { stdout } = await execFileAsync('java', ['-cp', classpath, program, file, xsd, ...xslts], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 180_000,
    });
    const out = JSON.parse(stdout) as ValidatorOutput;
    const fatal: RuleMessage[] = [];
    const warnings: RuleMessage[] = [];
    out.schematron.forEach((s, i) => {
      const ruleSet = ruleSets[i];
      const conv = (e: SvrlEntry): RuleMessage => ({ rule: e.id, text: e.text, location: e.location, flag: e.flag, ruleSet });
      fatal.push(...s.failed.map(conv));
      warnings.push(...s.warnings.map(conv));
    });
    return { xsdErrors: out.xsd, fatal, warnings, ruleSets };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
