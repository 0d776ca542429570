// The SMTP transport against a real SMTP server on loopback (smtp-server): the outbox mail
// arrives once, in Dutch, with a stable Message-ID.
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { startMailDispatcher } from '../../worker/mail-dispatcher';
import { createTestEnv, type TestEnv } from '../support/env';
import { requestUpTo, storyTokens, waitFor } from '../support/story';

let env: TestEnv;
let server: SMTPServer;
const received: { to: string[]; data: string }[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await env.close();
});

test('when the transport is SMTP, then each outbox mail is sent once to the right address', async () => {
  const t = await storyTokens(env);
  const id = await requestUpTo(env, t, 'submitted', { title: 'Post via SMTP' });
  const expected = await env.models.Mail.find({ requestId: id }).lean();
  expect(expected.length).toBeGreaterThan(0);
  const port = (server.server.address() as AddressInfo).port;
  const dispatcher = startMailDispatcher({
    models: env.models,
    logger: pino({ level: 'silent' }),
    transport: 'smtp',
    smtpUrl: `smtp://127.0.0.1:${port}`,
    from: 'Eenvoud <noreply@eenvoud.test>',
    intervalMs: 50,
  });
  try {
    await waitFor(
      'sent',
      () => env.models.Mail.countDocuments({ requestId: id, status: 'pending' }),
      (n) => n === 0,
    );
  } finally {
    await dispatcher.stop();
  }
  const mine = received.filter((m) => m.data.includes('Post via SMTP'));
  expect(mine).toHaveLength(expected.length);
  expect(mine[0]!.to).toEqual(['dor-coordinator@demo.eenvoud.nl']);
  expect(mine[0]!.data).toMatch(/Message-ID:\s*<request-/i);
  expect(mine[0]!.data).toContain('Nieuwe opdracht ter intake');
});
