// `npm run audit:verify`: checks the audit trail of every request, invoice and correction in the
// database (MONGODB_URI, or the embedded one) and reports each subject whose chain is broken,
// with the first broken event. Exit code 1 when any is.
import { ConfigError, loadConfig } from '../config';
import { verifyChain, type ChainedEvent } from '../lib/audit-chain';
import { connectDatabase } from '../models/connect';

async function main(): Promise<void> {
  const config = loadConfig();
  const { models, close } = await connectDatabase(config.mongodbUri);
  try {
    const subjects = ((await models.AuditEvent.distinct('subject')) as string[]).sort();
    let broken = 0;
    let events = 0;
    for (const subject of subjects) {
      const list = (await models.AuditEvent.find({ subject }).lean()) as unknown as ChainedEvent[];
      const check = verifyChain(list);
      events += check.events;
      if (!check.ok) {
        broken += 1;
        console.log(`BROKEN  ${subject}: event ${check.brokenAt} (${check.problem.replace(/_/g, ' ')})`);
      }
    }
    console.log(`${subjects.length} subjects, ${events} events checked: ${broken === 0 ? 'every chain intact' : `${broken} broken`}.`);
    process.exitCode = broken === 0 ? 0 : 1;
  } finally {
    await close();
  }
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(2);
});
