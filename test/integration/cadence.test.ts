import { systemClock } from '../../services/common/clock';
import { silentLogger } from '../../services/logging';
import { startJobRunner, type JobDoc } from '../../services/scheduling/scheduler';
import { CONTAINERS } from '../../services/storage/containers';
import { personalConversationId } from '../support/activities';
import { CADENCE_START, KFI_CIRCLE, quarterlyRule, useCadenceSuite } from '../support/cadenceSuite';
import { KFI_LEAD, KOELN_IB } from '../support/circle';

const QUARTERLY = quarterlyRule('poll');

jest.setTimeout(60_000);

describe('the Koordinierungskreis cadence: set in the tab, prepared ahead of time, sent when the KfI confirms', () => {
  let now = CADENCE_START; // Wednesday, 20 January 2027, 10:00 in Berlin.
  const suite = useCadenceSuite('cadence-test', () => now);
  const { post, tab, cadence, polls, posted, idle } = suite;

  it('refuses anyone but the KfI with 403 and a clear message in German and English, and stores nothing', async () => {
    const de = await tab('PUT', '/api/tab/cadence', KOELN_IB.aadObjectId, QUARTERLY);
    expect(de.status).toBe(403);
    expect(de.body.message.de).toBe('Den Rhythmus des Koordinierungskreises legt nur das Kompetenzzentrum für Integration (KfI) fest.');
    const en = await tab('GET', '/api/tab/cadence', KOELN_IB.aadObjectId, undefined, 'en-GB');
    expect(en.status).toBe(403);
    expect(en.body.message.en).toBe('Only the Kompetenzzentrum für Integration (KfI) sets the cadence of the coordination circle.');
    expect(await cadence()).toBeUndefined();
    expect(suite.app.logs.raw.join('\n')).not.toContain('Koordinierungskreis Q2');
  });

  it('refuses an invalid rule at its fields, in both languages, and stores nothing', async () => {
    const res = await tab('PUT', '/api/tab/cadence', KFI_LEAD.aadObjectId, { ...QUARTERLY, interval: '0', week: '5', time: '25:00' });
    expect(res.status).toBe(400);
    expect(res.body.problems).toEqual([
      { field: 'interval', message: { de: 'Bitte geben Sie eine ganze Zahl an: 1 bis 26 Wochen oder 1 bis 12 Monate.', en: 'Please enter a whole number: 1 to 26 weeks or 1 to 12 months.' } },
      { field: 'week', message: { de: 'Bitte wählen Sie die Woche im Monat: erste bis vierte oder letzte.', en: 'Please choose the week of the month: first to fourth, or last.' } },
      { field: 'time', message: { de: 'Bitte geben Sie die Uhrzeit an (z. B. 10:00).', en: 'Please enter the time (e.g. 10:00).' } },
    ]);
    const guarded = await tab('PUT', '/api/tab/cadence', KFI_LEAD.aadObjectId, { ...QUARTERLY, title: 'Gespräch mit Herrn Ahmet Yılmaz, geb. 03.04.1980' });
    expect(guarded.status).toBe(400);
    expect(guarded.body.problems[0].field).toBe('title');
    expect(guarded.body.problems[0].message.de).toMatch(/Angaben zu Personen/);
    expect(await cadence()).toBeUndefined();
  });

  it('prepares one draft at the lead time (also with two job runners racing), sends it to the KfI only, and sends the poll when a KfI member confirms', async () => {
    const set = await tab('PUT', '/api/tab/cadence', KFI_LEAD.aadObjectId, QUARTERLY);
    expect(set.status).toBe(200);
    expect(set.body.message.de).toBe('Der Rhythmus ist gespeichert.');
    expect(set.body.summary.de).toBe('Vierteljährlich am zweiten Dienstag im Monat, 10:00 Uhr. Der Entwurf wird 6 Wochen vorher vorbereitet; an die Mitglieder geht erst etwas, wenn das KfI ihn bestätigt.');
    expect(set.body.summary.en).toBe('Quarterly on the second Tuesday of the month, 10:00. The draft is prepared 6 weeks ahead; nothing goes to the members until the KfI confirms it.');
    expect(set.body.upcoming.slice(0, 2)).toEqual([
      { ruleDate: '2027-04-13', label: { de: 'Di., 13.04.2027, 10:00 Uhr', en: 'Tue 13 Apr 2027, 10:00' }, prepareOn: { de: 'Entwurf am 02.03.2027', en: 'draft on 2 Mar 2027' } },
      { ruleDate: '2027-07-13', label: { de: 'Di., 13.07.2027, 10:00 Uhr', en: 'Tue 13 Jul 2027, 10:00' }, prepareOn: { de: 'Entwurf am 01.06.2027', en: 'draft on 1 Jun 2027' } },
    ]);
    // The change is audited in the document: who, what, which fields (no values).
    expect((await cadence())!.trail).toEqual([expect.objectContaining({ by: KFI_LEAD.aadObjectId, action: 'set', fields: expect.arrayContaining(['rule', 'title', 'leadWeeks']) })]);

    // Before the lead time: the job runs, finds nothing due, and waits for 2 March 09:00.
    await idle();
    expect((await cadence())!.draft).toBeUndefined();
    expect(posted()).toEqual([]);
    const job = (await suite.database.store<JobDoc>(CONTAINERS.jobs).query<JobDoc>({ query: 'SELECT * FROM c WHERE c.kind = "circle.cadence"' }))[0];
    expect(new Date(job.dueAt).toISOString()).toBe('2027-03-02T08:00:00.000Z');

    // The clock reaches the lead time; a second process's runner and two direct runs race the app's runner.
    now = new Date('2027-03-02T08:00:00Z');
    const other = startJobRunner(
      { store: suite.database.store<JobDoc>(CONTAINERS.jobs), handlers: suite.app.circle.jobHandlers(), logger: silentLogger, clock: { now: () => now.getTime(), sleep: systemClock.sleep } },
      { autoStart: false },
    );
    await Promise.all([suite.app.jobs.runDue(), other.runDue(), suite.app.circle.cadence.prepareDue(), suite.app.circle.cadence.prepareDue()]);
    await other.stop();
    await idle();
    const prepared = await cadence();
    expect(prepared!.draft).toMatchObject({ ruleDate: '2027-04-13', date: '2027-04-13', dates: ['2027-04-13', '2027-04-20', '2027-04-27'], status: 'prepared' });
    expect(prepared!.trail.filter((e) => e.action === 'prepared')).toHaveLength(1);
    // One card to each KfI member in their language; nothing to anyone else, no poll yet.
    const cards = posted();
    expect(cards.filter((c) => c.includes('Vorbereitet nach Rhythmus — bitte prüfen und senden'))).toHaveLength(1);
    expect(cards.filter((c) => c.includes('Prepared by cadence — please check and send'))).toHaveLength(1);
    expect(cards).toHaveLength(2);
    expect(cards.find((c) => c.includes('Vorbereitet'))).toContain('Di., 13.04.2027, 10:00–12:00 Uhr');
    expect(cards.find((c) => c.includes('Prepared'))).toContain('Tue 13 Apr 2027, 10:00–12:00');
    expect(await polls()).toHaveLength(0);

    // The tab shows the draft, marked, in the viewer's language.
    const shown = await tab('GET', '/api/tab/cadence', KFI_CIRCLE.aadObjectId, undefined, 'en-GB');
    expect(shown.status).toBe(200);
    expect(shown.body.draft).toMatchObject({ ruleDate: '2027-04-13', status: 'prepared', marker: { de: 'Vorbereitet nach Rhythmus — bitte prüfen und senden', en: 'Prepared by cadence — please check and send' } });
    expect(JSON.stringify(shown.body.draft.card.en)).toContain('Tue 20 Apr 2027, 10:00–12:00');

    // Someone outside the KfI cannot confirm it, on the card either.
    const forged = await post(suite.teams.cardAction('circle.cadence.confirm', { ruleDate: '2027-04-13' }, { from: KOELN_IB }));
    expect(forged.body.statusCode).toBe(403);
    expect(JSON.stringify(forged.body.value)).toContain('legt nur das Kompetenzzentrum');
    expect(await polls()).toHaveLength(0);

    // Felix confirms on his card (in English): the poll goes out to the circle.
    suite.emulator.reset();
    const confirmed = await post(suite.teams.cardAction('circle.cadence.confirm', { ruleDate: '2027-04-13' }, { from: KFI_CIRCLE, locale: 'en-GB' }));
    expect(confirmed.body.statusCode).toBe(200);
    expect(JSON.stringify(confirmed.body.value)).toContain('The date poll is confirmed and goes to the coordination circle.');
    const [poll] = await polls();
    expect(poll).toMatchObject({ title: 'Koordinierungskreis Q2 (Beispiel)', createdBy: KFI_CIRCLE.aadObjectId, status: 'open' });
    expect(poll.slots.map((s) => s.start)).toEqual(['2027-04-13T08:00:00.000Z', '2027-04-20T08:00:00.000Z', '2027-04-27T08:00:00.000Z']);
    await idle();
    const members = await suite.app.circle.members();
    expect(posted().filter((c) => c.includes('"verb":"circle.poll.answer"'))).toHaveLength(members.length);

    // Karla's (German) draft card, updated in place in her chat: who confirmed it and when, no button left; Felix's
    // (English) card says the same in English.
    const draftCard = (who: typeof KFI_LEAD) => {
      const cards = suite.emulator.visibleActivities(personalConversationId(who.id)).map((a) => JSON.stringify(a)).filter((a) => a.includes('Rhythmus des Koordinierungskreises') || a.includes('Cadence of the coordination circle'));
      expect(cards).toHaveLength(1);
      return cards[0];
    };
    expect(draftCard(KFI_LEAD)).toContain('Bestätigt und gesendet von Felix Format (Beispiel) am Di., 02.03.2027, 09:00 Uhr.');
    expect(draftCard(KFI_LEAD)).toContain('"Nach Rhythmus vorbereitet"');
    expect(draftCard(KFI_LEAD)).not.toContain('Action.Execute');
    expect(draftCard(KFI_CIRCLE)).toContain('Confirmed and sent by Felix Format (Beispiel) on Tue 2 Mar 2027, 09:00.');
    expect(draftCard(KFI_CIRCLE)).not.toContain('Action.Execute');
    const updates = suite.emulator.calls.filter((c) => c.operation === 'update' && c.status < 300 && JSON.stringify(c.activity ?? null).includes('Rhythmus des Koordinierungskreises'));
    expect(updates.map((c) => c.conversationId)).toEqual([personalConversationId(KFI_LEAD.id)]);

    // Karla clicks her old card anyway (a client that showed it before the update): already done, nothing twice.
    const sentBefore = posted().length;
    const late = await post(suite.teams.cardAction('circle.cadence.confirm', { ruleDate: '2027-04-13' }, { from: KFI_LEAD }));
    expect(late.body.statusCode).toBe(200);
    expect(JSON.stringify(late.body.value)).toContain('Bereits erledigt: Felix Format (Beispiel) hat diesen Entwurf am Di., 02.03.2027, 09:00 Uhr bestätigt und gesendet. Es wurde nichts erneut gesendet.');
    expect(JSON.stringify(late.body.value)).not.toContain('Action.Execute');
    const lateEn = await post(suite.teams.cardAction('circle.cadence.confirm', { ruleDate: '2027-04-13' }, { from: KFI_CIRCLE, locale: 'en-GB' }));
    expect(JSON.stringify(lateEn.body.value)).toContain('Already done: Felix Format (Beispiel) confirmed and sent this draft on Tue 2 Mar 2027, 09:00. Nothing was sent again.');
    await idle();
    expect(posted()).toHaveLength(sentBefore);
    const lateTab = await tab('POST', '/api/tab/cadence/confirm', KFI_LEAD.aadObjectId, { ruleDate: '2027-04-13' });
    expect(lateTab.status).toBe(409);
    expect(lateTab.body.message.de).toBe('Bereits erledigt: Felix Format (Beispiel) hat diesen Entwurf am Di., 02.03.2027, 09:00 Uhr bestätigt und gesendet. Es wurde nichts erneut gesendet.');
    expect(lateTab.body.draft.marker).toEqual({ de: 'Nach Rhythmus vorbereitet', en: 'Prepared by cadence' });
    expect(await polls()).toHaveLength(1);
    expect((await cadence())!.trail.filter((e) => e.action === 'confirmed')).toEqual([expect.objectContaining({ by: KFI_CIRCLE.aadObjectId, ruleDate: '2027-04-13' })]);
  });

  it('prepares nothing while switched off, and the next date once switched on again', async () => {
    const off = await tab('PUT', '/api/tab/cadence', KFI_LEAD.aadObjectId, { ...QUARTERLY, active: 'off' });
    expect(off.status).toBe(200);
    expect(off.body.summary.de).toBe('Der Rhythmus ist ausgeschaltet: Es werden keine Entwürfe vorbereitet.');
    expect((await cadence())!.trail.at(-1)).toMatchObject({ action: 'switchedOff', fields: ['active'] });
    suite.emulator.reset();
    now = new Date('2027-06-01T08:00:00Z');
    await idle();
    expect((await cadence())!.draft?.ruleDate).toBe('2027-04-13');
    expect(posted()).toEqual([]);

    const on = await tab('PUT', '/api/tab/cadence', KFI_CIRCLE.aadObjectId, QUARTERLY, 'en-GB');
    expect(on.body.message.en).toBe('The cadence has been saved.');
    await idle();
    expect((await cadence())!.draft).toMatchObject({ ruleDate: '2027-07-13', status: 'prepared' });
    expect(posted().filter((c) => c.includes('Vorbereitet nach Rhythmus') || c.includes('Prepared by cadence'))).toHaveLength(2);
  });

  it('lets a KfI member discard a draft: nothing goes to the circle, the other member\'s card says who discarded it, and their old card is told it is done', async () => {
    const pollsBefore = (await polls()).length;
    const forged = await post(suite.teams.cardAction('circle.cadence.discard', { ruleDate: '2027-07-13' }, { from: KOELN_IB }));
    expect(forged.body.statusCode).toBe(403);
    expect((await cadence())!.draft).toMatchObject({ ruleDate: '2027-07-13', status: 'prepared' });

    suite.emulator.reset();
    const discarded = await post(suite.teams.cardAction('circle.cadence.discard', { ruleDate: '2027-07-13' }, { from: KFI_LEAD }));
    expect(discarded.body.statusCode).toBe(200);
    expect(JSON.stringify(discarded.body.value)).toContain('Der Entwurf ist verworfen; an den Koordinierungskreis geht nichts.');
    expect(JSON.stringify(discarded.body.value)).not.toContain('Action.Execute');
    await idle();
    // Felix's (English) card, updated in place: who discarded it and when, no buttons.
    const felix = suite.emulator.visibleActivities(personalConversationId(KFI_CIRCLE.id)).map((a) => JSON.stringify(a)).filter((a) => a.includes('2027-07-13') || a.includes('13 Jul 2027'));
    expect(felix).toHaveLength(1);
    expect(felix[0]).toContain('Discarded by Karla Koordinata (Beispiel) on Tue 1 Jun 2027, 10:00. Nothing went to the coordination circle.');
    expect(felix[0]).not.toContain('Action.Execute');

    // Felix clicks his old card anyway, on either button: already done, nothing sent.
    const late = await post(suite.teams.cardAction('circle.cadence.confirm', { ruleDate: '2027-07-13' }, { from: KFI_CIRCLE, locale: 'en-GB' }));
    expect(late.body.statusCode).toBe(200);
    expect(JSON.stringify(late.body.value)).toContain('Already done: Karla Koordinata (Beispiel) discarded this draft on Tue 1 Jun 2027, 10:00. Nothing was sent.');
    const lateTab = await tab('POST', '/api/tab/cadence/discard', KFI_CIRCLE.aadObjectId, { ruleDate: '2027-07-13' }, 'en-GB');
    expect(lateTab.status).toBe(409);
    expect(lateTab.body.message.de).toBe('Bereits erledigt: Karla Koordinata (Beispiel) hat diesen Entwurf am Di., 01.06.2027, 10:00 Uhr verworfen. Es wurde nichts gesendet.');
    await idle();
    expect(await polls()).toHaveLength(pollsBefore);
    expect(posted().filter((c) => c.includes('"verb":"circle.poll.answer"'))).toEqual([]);
    expect((await cadence())!.trail.filter((e) => e.action === 'discarded')).toEqual([expect.objectContaining({ by: KFI_LEAD.aadObjectId, ruleDate: '2027-07-13' })]);
  });

  it('lets a draft nobody confirmed lapse when its date begins: both cards say so in place, without buttons, and an old card is told it is done', async () => {
    const pollsBefore = (await polls()).length;
    /** The draft card of 12 October in a KfI member's chat, as it shows now. */
    const octoberCard = (who: typeof KFI_LEAD) => {
      const cards = suite.emulator.visibleActivities(personalConversationId(who.id)).map((a) => JSON.stringify(a)).filter((a) => a.includes('12.10.2027') || a.includes('12 Oct 2027'));
      expect(cards).toHaveLength(1);
      return cards[0];
    };
    // October's draft is prepared at its lead time (31 August) and goes to both KfI members.
    now = new Date('2027-08-31T08:00:00Z');
    await idle();
    expect((await cadence())!.draft).toMatchObject({ ruleDate: '2027-10-12', status: 'prepared' });
    expect(octoberCard(KFI_LEAD)).toContain('circle.cadence.confirm');
    expect(octoberCard(KFI_CIRCLE)).toContain('circle.cadence.confirm');

    // A minute before its date begins nothing happens; at 10:00 Berlin on 12 October the job lets it lapse.
    now = new Date('2027-10-12T07:59:00Z');
    await idle();
    expect((await cadence())!.draft?.status).toBe('prepared');
    now = new Date('2027-10-12T08:00:00Z');
    await idle();
    const doc = (await cadence())!;
    expect(doc.draft).toMatchObject({ ruleDate: '2027-10-12', status: 'lapsed', lapsedAt: '2027-10-12T08:00:00.000Z' });
    expect(doc.trail.filter((e) => e.action === 'lapsed')).toEqual([expect.objectContaining({ by: 'system', ruleDate: '2027-10-12' })]);
    // Updated in place in each member's language: what became of it, no button left.
    expect(octoberCard(KFI_LEAD)).toContain('Nicht bestätigt – der Termin am 12.10.2027 ist verstrichen. An den Koordinierungskreis ging nichts.');
    expect(octoberCard(KFI_LEAD)).toContain('Nach Rhythmus vorbereitet — nicht bestätigt');
    expect(octoberCard(KFI_LEAD)).not.toContain('Action.Execute');
    expect(octoberCard(KFI_CIRCLE)).toContain('Not confirmed – the date on 12 Oct 2027 has passed. Nothing went to the coordination circle.');
    expect(octoberCard(KFI_CIRCLE)).not.toContain('Action.Execute');
    const tabView = await tab('GET', '/api/tab/cadence', KFI_LEAD.aadObjectId);
    expect(tabView.body.draft).toMatchObject({ status: 'lapsed', marker: { de: 'Nach Rhythmus vorbereitet — nicht bestätigt', en: 'Prepared by cadence — not confirmed' } });
    expect(tabView.body.draft.statusText.de).toBe('Nicht bestätigt – der Termin am 12.10.2027 ist verstrichen. An den Koordinierungskreis ging nichts.');

    // The next draft (January, due 30 November) replaces it; an old October card clicked then: already done, nothing sent.
    now = new Date('2027-11-30T08:00:00Z');
    await idle();
    expect((await cadence())!.draft).toMatchObject({ ruleDate: '2028-01-11', status: 'prepared' });
    const late = await post(suite.teams.cardAction('circle.cadence.confirm', { ruleDate: '2027-10-12' }, { from: KFI_LEAD }));
    expect(late.body.statusCode).toBe(200);
    expect(JSON.stringify(late.body.value)).toContain('Bereits erledigt: Der Termin am 12.10.2027 ist verstrichen, ohne dass jemand den Entwurf bestätigt hat. Es wurde nichts gesendet.');
    expect(JSON.stringify(late.body.value)).not.toContain('Action.Execute');
    const lateEn = await post(suite.teams.cardAction('circle.cadence.discard', { ruleDate: '2027-10-12' }, { from: KFI_CIRCLE, locale: 'en-GB' }));
    expect(JSON.stringify(lateEn.body.value)).toContain('Already done: the date on 12 Oct 2027 passed without anyone confirming the draft. Nothing was sent.');
    const lateTab = await tab('POST', '/api/tab/cadence/confirm', KFI_CIRCLE.aadObjectId, { ruleDate: '2027-10-12' }, 'en-GB');
    expect(lateTab.status).toBe(409);
    expect(lateTab.body.message.en).toBe('Already done: the date on 12 Oct 2027 passed without anyone confirming the draft. Nothing was sent.');
    await idle();
    expect(await polls()).toHaveLength(pollsBefore);
    expect((await cadence())!.draft).toMatchObject({ ruleDate: '2028-01-11', status: 'prepared' });
  });
});
