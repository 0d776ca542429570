// Which faults count as "briefly away" (503 and a retry) rather than a bug of ours (500).
import { isDatabaseTransient, isTemporalUnavailable, retryTransient } from '../../lib/transient';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

test('a dropped database connection is transient, in every form the driver reports it', () => {
  expect(isDatabaseTransient(withCode('This socket has been ended by the other party', 'EPIPE'))).toBe(true);
  expect(isDatabaseTransient(withCode('read ECONNRESET', 'ECONNRESET'))).toBe(true);
  expect(isDatabaseTransient(Object.assign(new Error('connection 3 to 127.0.0.1:27017 closed'), { name: 'MongoNetworkError' }))).toBe(true);
  expect(isDatabaseTransient(new Error('outer', { cause: withCode('connect ECONNREFUSED 127.0.0.1:27017', 'ECONNREFUSED') }))).toBe(true);
});

test('a bug or a refusal is not transient', () => {
  expect(isDatabaseTransient(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(false);
  expect(isDatabaseTransient(Object.assign(new Error('E11000 duplicate key'), { code: 11000 }))).toBe(false);
  expect(isTemporalUnavailable(new Error('Workflow execution already completed'))).toBe(false);
  expect(isTemporalUnavailable(new Error('14 UNAVAILABLE: Connection dropped'))).toBe(true);
});

test('retryTransient repeats a transient fault and gives up on any other', async () => {
  let calls = 0;
  await expect(
    retryTransient(async () => {
      if (++calls < 3) throw withCode('read ECONNRESET', 'ECONNRESET');
      return 'ok';
    }),
  ).resolves.toBe('ok');
  expect(calls).toBe(3);
  calls = 0;
  await expect(
    retryTransient(async () => {
      calls++;
      throw new Error('bug');
    }),
  ).rejects.toThrow('bug');
  expect(calls).toBe(1);
});
