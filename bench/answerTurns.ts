import { openDatabase } from '../services/storage/database';
import { activityBuilders, user } from '../test/support/activities';
import { startChannelEmulator } from '../test/support/channelEmulator';
import { countingDatabase } from '../test/support/countingDatabase';
import { startTestApp } from '../test/support/testApp';
import type { Figure as BenchFigure } from './figure';

const QUESTIONS = [
  'Wer ist für Marl zuständig?',
  'Wer ist die Integrationsbeauftragte für Bochum?',
  'Was macht die Integrationsbeauftragte?',
  'Who is responsible for Cologne?',
  'Welches KI ist für Gütersloh zuständig?',
  'Wer vertritt die IB in Detmold?',
];

/**
 * Database operations of a question-and-answer turn in Teams: the real service in this process on
 * the embedded database, every store wrapped in a counter, 60 questions from 10 users after each
 * user's first contact (which stores the conversation reference once).
 */
export async function benchAnswerTurns(): Promise<BenchFigure[]> {
  const emulator = await startChannelEmulator({ installations: 'tenantWide', record: false });
  const real = await openDatabase({ databaseId: 'bench-answers' });
  const counting = countingDatabase(real);
  const app = await startTestApp({ LOG_LEVEL: 'warn' }, { database: counting.database });
  try {
    const teams = activityBuilders({ serviceUrl: emulator.serviceUrl });
    const users = Array.from({ length: 10 }, (_, i) => user({ name: `Bench User ${i}` }));
    for (const u of users) await app.post(teams.message('Hilfe', { from: u }));
    counting.reset();
    let turns = 0;
    for (const u of users) {
      for (const q of QUESTIONS) {
        const res = await app.post(teams.message(q, { from: u }));
        if (res.status !== 200) throw new Error(`turn failed with ${res.status}`);
        turns++;
      }
    }
    return [
      { name: 'answers.db_reads_per_turn', value: counting.counts.reads / turns, unit: 'reads' },
      { name: 'answers.db_writes_per_turn', value: counting.counts.writes / turns, unit: 'writes' },
    ];
  } finally {
    await app.stop();
    await real.close();
    await emulator.close();
  }
}
