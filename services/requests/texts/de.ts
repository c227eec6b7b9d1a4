/**
 * Every word of Anliegen and Vortrag a user sees: forms, cards, lists, messages, notifications and refusals. German,
 * the default; `en.ts` has the same keys.
 */
export const de = {
  fieldNames: {
    authority: 'Bezirksregierung', category: 'Art des Anliegens', subject: 'Betreff', description: 'Beschreibung', deadline: 'Frist',
    department: 'Dezernat', measure: 'Maßnahme', plannedDate: 'Geplanter Termin', summary: 'Zusammenfassung', urgency: 'Dringlichkeit',
    proposedDates: 'Terminvorschläge', text: 'Text', decision: 'Entscheidung', date: 'Datum', time: 'Uhrzeit', link: 'Link zum Dokument', fileName: 'Dateiname',
  },
  statusLabels: {
    neu: 'Neu', in_bearbeitung: 'In Bearbeitung', rueckfrage: 'Rückfrage', erledigt: 'Erledigt', eskaliert: 'An die Behördenleitung herangetragen',
    eingereicht: 'Eingereicht', termin_vorgeschlagen: 'Termin vorgeschlagen', termin_gegenvorschlag: 'Anderer Termin vorgeschlagen', termin_vereinbart: 'Termin vereinbart', termin_offen: 'Termin: noch kein Datum', schriftlich: 'Schriftlich vorlegen', vorgelegt: 'Schriftlich vorgelegt', zur_kenntnis: 'Zur Kenntnis genommen',
    abgelehnt: 'Abgelehnt', weisung: 'Weisung erteilt', weisung_bestaetigt: 'Weisung zur Kenntnis und Umsetzung bestätigt',
  },
  categoryLabels: { beratung: 'Beratung', beteiligung: 'Beteiligung an einer geplanten Maßnahme (Nr. 5 a)', information: 'Information', sonstiges: 'Sonstiges' },
  urgencyLabels: { normal: 'Normal', eilig: 'Eilig', sehr_eilig: 'Sehr eilig' },
  formHeading: 'Anliegen an die oder den IB oder an das KfI',
  /** The first step: only the kind, so that the form then asks only what that kind needs. */
  kindIntro: 'Ihr Anliegen geht an die oder den IB Ihrer Bezirksregierung oder an das Kompetenzzentrum für Integration (KfI). Worum geht es? Danach fragt das Formular nur, was dafür nötig ist.',
  formIntro:
    'Ihr Anliegen geht an die oder den IB der gewählten Bezirksregierung (während einer Abwesenheit an die Vertretung) oder an das Kompetenzzentrum für Integration (KfI) bei der Bezirksregierung Arnsberg, das die IB berät (RdErl. v. 5.12.2023, Nr. 6). Sie sehen jeden Bearbeitungsschritt auf dieser Karte und als Nachricht.',
  privacy:
    'Bitte keine personenbezogenen Daten Dritter: keine Namen mit Herkunft, Religion, Gesundheit, sexueller Orientierung, Geburtsdatum oder Aktenzeichen, keine Adressen oder Telefonnummern. Solche Angaben speichert der Lotse nicht. Einzelfälle des Aufenthaltsrechts klärt die örtliche Ausländerbehörde.',
  labels: {
    authority: 'An', category: 'Art des Anliegens', kindQuestion: 'Worum geht es?', subject: 'Betreff', description: 'Beschreibung', deadline: 'Frist (optional)',
    measureHeading: 'Angaben zur geplanten Maßnahme', measureHint: 'Beteiligung der oder des IB an geplanten Maßnahmen: RdErl. v. 5.12.2023, Nr. 5 a.',
    department: 'Dezernat', measure: 'Maßnahme', plannedDate: 'Geplanter Termin der Maßnahme', next: 'Weiter', submit: 'Anliegen senden',
    missing: {
      authority: 'Bitte wählen Sie, an wen Ihr Anliegen geht.', category: 'Bitte wählen Sie, worum es geht.', subject: 'Bitte geben Sie einen Betreff ein.',
      description: 'Bitte beschreiben Sie Ihr Anliegen.', department: 'Bitte nennen Sie das Dezernat.', measure: 'Bitte nennen Sie die Maßnahme.',
      plannedDate: 'Bitte wählen Sie den geplanten Termin.',
    },
  },
  reportHeading: 'Vortrag an die Behördenleitung',
  reportIntro:
    'Unmittelbares Vortragsrecht der oder des IB (RdErl. v. 5.12.2023, Nr. 4). Der Vortrag geht an die Behördenleitung und, wo vorgesehen, an ihr Büro; sichtbar nur für Sie, Ihre Vertretung, die Behördenleitung und ihr Büro.',
  reportLabels: {
    subject: 'Betreff', summary: 'Zusammenfassung', urgency: 'Dringlichkeit', proposedDates: 'Terminvorschläge (optional)', submit: 'Vortrag anmelden',
    missing: { subject: 'Bitte geben Sie einen Betreff ein.', summary: 'Bitte fassen Sie Ihren Vortrag zusammen.' },
  },
  /** A form field's problem, shown at the field in one sentence (a missing field: the field's own sentence in `missing`). */
  fieldProblems: {
    missing: 'Bitte füllen Sie dieses Feld aus.',
    too_long: (max: number) => `Bitte kürzen Sie auf höchstens ${max} Zeichen.`,
    bad_date: 'Bitte wählen Sie ein gültiges Datum.',
    past_date: 'Das Datum liegt in der Vergangenheit: bitte wählen Sie ein Datum ab heute.',
    bad_time: 'Bitte geben Sie eine Uhrzeit wie 10:30 an.',
    bad_url: 'Bitte geben Sie eine Adresse an, die mit https:// beginnt.',
    unknown_value: 'Bitte wählen Sie eine der angebotenen Möglichkeiten.',
    too_many: 'Bitte geben Sie weniger Einträge an.',
    personal_data: (what: string) => `Der Text enthält personenbezogene Daten Dritter (${what}): bitte formulieren Sie ohne sie.`,
  },
  /** On top of a form whose every problem is shown at its field. */
  checkFields: 'Nichts wurde gesendet: bitte prüfen Sie die markierten Felder.',
  linked: (subject: string) => `Zum Anliegen „${subject}“`,
  notIb: 'Einen Vortrag an die Behördenleitung melden die Integrationsbeauftragten und ihre Vertretungen an. Ihr Konto ist im Verzeichnis keiner Bezirksregierung als IB oder Vertretung zugeordnet.',
  requestHeading: 'Anliegen',
  reportCardHeading: 'Vortrag an die Behördenleitung',
  /** Small, above the item card's title: what it is and where. */
  /** The form's recipients: an authority's IB, or the KfI. */
  recipients: { commissioner: (authority: string) => `IB der ${authority}`, kfi: 'Kompetenzzentrum für Integration (KfI)' },
  kindLine: { requestKfi: 'Anliegen an das Kompetenzzentrum für Integration (KfI) · Bezirksregierung Arnsberg', request: (authority: string) => `Anliegen an die oder den IB · ${authority}`, report: (authority: string) => `Vortrag an die Behördenleitung · ${authority}` },
  status: (label: string) => `Status: ${label}`,
  /** Beside the title. */
  tags: { eilig: 'Eilig', sehr_eilig: 'Sehr eilig', deadline: (day: string) => `Frist ${day}`, overdue: (day: string) => `Überfällig: Frist ${day}` },
  /** "24.11.2026, 10:00 Uhr". */
  at: (day: string, time: string) => `${day}, ${time} Uhr`,
  /** What the viewer of an item card has to do next (one sentence under the status). */
  next: {
    ibNew: 'Sie sind dran: bitte übernehmen Sie das Anliegen.',
    ibWorking: 'Sie sind dran: bitte antworten Sie oder stellen Sie eine Rückfrage.',
    ibReplied: 'Sie sind dran: die anfragende Person hat Ihre Rückfrage beantwortet.',
    ibAnswered: 'Sie haben geantwortet. Wenn nichts mehr offen ist, markieren Sie das Anliegen als erledigt.',
    ibWaiting: 'Die anfragende Person ist dran: sie beantwortet Ihre Rückfrage.',
    ibEscalated: 'Der Vortrag liegt bei der Behördenleitung. Sie können weiter antworten oder das Anliegen als erledigt markieren.',
    requesterWaiting: 'Sie müssen nichts tun: die oder der IB bearbeitet Ihr Anliegen.',
    requesterWaitingKfi: 'Sie müssen nichts tun: das KfI bearbeitet Ihr Anliegen.',
    requesterAnswer: 'Sie sind dran: bitte beantworten Sie die Rückfrage.',
    requesterEscalated: 'Sie müssen nichts tun: die oder der IB hat Ihr Anliegen der Behördenleitung vorgetragen.',
    headDecide: 'Sie sind dran: bitte entscheiden Sie über den Vortrag.',
    headDecideAgain: 'Sie sind dran: die schriftliche Vorlage liegt vor, bitte entscheiden Sie erneut.',
    headSideWaitingPaper: 'Die oder der IB legt den Vortrag schriftlich vor.',
    headSideWaitingAck: 'Die oder der IB bestätigt die Weisung zur Kenntnis und Umsetzung.',
    ibPaperWaiting: 'Die Behördenleitung ist dran: sie entscheidet über Ihre schriftliche Vorlage.',
    acknowledged: 'Die Weisung ist zur Kenntnis und Umsetzung bestätigt.',
    headSideWaiting: 'Die Behördenleitung entscheidet über den Vortrag.',
    ibReportWaiting: 'Die Behördenleitung ist dran: sie entscheidet über Ihren Vortrag.',
    ibMeeting: 'Sie sind dran: bitte nehmen Sie den vorgeschlagenen Termin an oder schlagen Sie einen anderen vor.',
    headCounter: 'Sie sind dran: die oder der IB schlägt einen anderen Termin vor. Bitte nehmen Sie ihn an oder schlagen Sie einen anderen vor.',
    headSideWaitingMeeting: 'Die oder der IB nimmt den Termin an oder schlägt einen anderen vor.',
    ibWaitingMeeting: 'Die Behördenleitung ist dran: sie nimmt Ihren Terminvorschlag an oder schlägt einen anderen vor.',
    headSideWaitingCounter: 'Die Behördenleitung nimmt den Terminvorschlag der oder des IB an oder schlägt einen anderen vor.',
    meetingAgreed: 'Der Termin ist vereinbart: es ist nichts mehr zu tun.',
    meetingAgreedMovable: 'Der Termin ist vereinbart. Passt er nicht mehr, können Sie ihn verschieben oder absagen.',
    headOpen: 'Der Termin wurde abgesagt. Sie sind dran: bitte schlagen Sie einen neuen Termin vor.',
    ibOpen: 'Der Termin wurde abgesagt. Die Behördenleitung schlägt einen neuen vor; Sie können auch selbst einen vorschlagen.',
    headSideOpen: 'Der Termin wurde abgesagt; ein neuer ist noch nicht vorgeschlagen.',
    ibInWriting: 'Sie sind dran: bitte legen Sie den Vortrag schriftlich vor – hier als Text mit Link, oder senden Sie die Datei dem Lotsen im Chat.',
    ibInstruction: 'Sie sind dran: bitte bestätigen Sie die Weisung zur Kenntnis und Umsetzung.',
    closed: 'Abgeschlossen: es ist nichts mehr zu tun.',
  },
  facts: {
    authority: 'Behörde', category: 'Art', from: 'Von', handler: 'Bearbeitet von', deadline: 'Frist', department: 'Dezernat', measure: 'Maßnahme',
    plannedDate: 'Geplant am', urgency: 'Dringlichkeit', proposedDates: 'Terminvorschläge', document: 'Dokument', created: 'Eingegangen', linkedReport: 'Vortrag', linkedRequest: 'Zum Anliegen',
  },
  messagesHeading: 'Nachrichten',
  messageHeading: { rueckfrage: 'Rückfrage', antwort: 'Antwort', nachtrag: 'Antwort auf die Rückfrage', vorlage: 'Schriftliche Vorlage' },
  by: (name: string, at: string) => `${name}, ${at}`,
  /** The prominent box with the message the viewer has to respond to. */
  callout: { rueckfrage: (name: string, at: string) => `Rückfrage von ${name}, ${at}`, nachtrag: (name: string, at: string) => `Antwort auf Ihre Rückfrage von ${name}, ${at}` },
  buttons: {
    accept: 'Übernehmen', ask: 'Nachfragen', answer: 'Antworten', done: 'Als erledigt markieren', toReport: 'Vortrag daraus machen', reply: 'Rückfrage beantworten',
    trail: 'Verlauf', termin: 'Termin vorschlagen', schriftlich: 'Schriftliche Vorlage anfordern', kenntnis: 'Zur Kenntnis nehmen', ablehnen: 'Ablehnen', weisung: 'Weisung erteilen',
    openReport: 'Vortrag öffnen', openRequest: 'Anliegen öffnen', acknowledge: 'Zur Kenntnis und Umsetzung', handIn: 'Schriftlich vorlegen',
    acceptMeeting: 'Termin annehmen', counterMeeting: 'Anderer Termin', moveMeeting: 'Termin verschieben', cancelMeeting: 'Termin absagen',
  },
  /** The send button inside each action's own input area. */
  submit: {
    ask: 'Rückfrage senden', answer: 'Antwort senden', reply: 'Antwort senden', termin: 'Termin vorschlagen', schriftlich: 'Vorlage anfordern', weisung: 'Weisung erteilen', ablehnen: 'Vortrag ablehnen', handIn: 'Vorlage senden', counterMeeting: 'Termin vorschlagen', moveMeeting: 'Neuen Termin vorschlagen', cancelMeeting: 'Termin absagen',
  },
  /** The fields of the actions' input areas: label and, where required, the sentence shown when it is empty. */
  inputs: {
    question: { label: 'Ihre Rückfrage an die anfragende Person', error: 'Bitte schreiben Sie Ihre Rückfrage.' },
    answer: { label: 'Ihre Antwort an die anfragende Person', error: 'Bitte schreiben Sie Ihre Antwort.' },
    reply: { label: 'Ihre Antwort auf die Rückfrage', error: 'Bitte schreiben Sie Ihre Antwort.' },
    date: { label: 'Datum', error: 'Bitte wählen Sie ein Datum.' },
    time: { label: 'Uhrzeit', error: 'Bitte wählen Sie eine Uhrzeit.' },
    note: { label: 'Hinweis für die oder den IB (optional)', error: 'Der Hinweis ist zu lang.' },
    instruction: { label: 'Ihre Weisung', error: 'Bitte schreiben Sie Ihre Weisung.' },
    reason: { label: 'Begründung der Ablehnung', error: 'Bitte begründen Sie die Ablehnung.' },
    paper: { label: 'Ihre schriftliche Vorlage', error: 'Bitte schreiben Sie Ihre Vorlage.' },
    link: { label: 'Link zum Dokument (optional, https://…, z. B. SharePoint oder OneDrive)', error: 'Bitte geben Sie eine https-Adresse an.' },
    cancelReason: { label: 'Grund der Absage (optional, kurz; die andere Seite liest ihn)', error: 'Der Grund ist zu lang.' },
  },
  refresh: 'Aktualisieren',
  decision: {
    termin: (d: string, t: string) => `Termin vorgeschlagen: ${d}, ${t} Uhr`,
    schriftlich: 'Bitte schriftlich vorlegen.', kenntnis: 'Zur Kenntnis genommen.', ablehnen: 'Abgelehnt.', weisung: 'Weisung:',
  },
  decidedBy: (name: string, at: string) => `Entschieden von ${name} am ${at}.`,
  /** Termin (RdErl. Nr. 4): the date on the table and who proposed it, the agreed date and the invitation. */
  termin: {
    when: (day: string, time: string) => `${day}, ${time} Uhr`,
    proposed: (when: string) => `Terminvorschlag: ${when}`,
    proposedBy: (name: string, at: string) => `Vorgeschlagen von ${name} am ${at}.`,
    agreed: (when: string) => `Termin vereinbart: ${when}`,
    agreedBy: (name: string, at: string) => `Angenommen von ${name} am ${at}.`,
    callout: (name: string, at: string) => `Vorschlag von ${name}, ${at}`,
    invitationPending: 'Die Einladung für Behördenleitung und IB wird angelegt.',
    invitationTeams: 'Die Einladung als Teams-Besprechung ist in den Kalendern der Behördenleitung und der oder des IB.',
    joinTeams: 'An Teams-Besprechung teilnehmen',
    ics: 'In den Kalender (.ics)',
    /** The agreed date's calendar entry (.ics and Teams meeting), in the authorities' working language. */
    eventSubject: (subject: string) => `Vortrag der oder des IB: ${subject}`,
    eventBody: (authority: string) => `Vortrag der oder des Integrationsbeauftragten der ${authority} bei der Behördenleitung (RdErl. v. 5.12.2023, Nr. 4).`,
    icsJoin: (url: string) => `Teams-Besprechung: ${url}`,
    pastTime: 'Die Uhrzeit ist heute schon vorbei: bitte wählen Sie eine spätere.',
    /** Moving an agreed date: the agreed one holds until the new one is agreed. */
    inForce: (when: string) => `Vereinbart (gilt, bis ein neuer Termin angenommen ist): ${when}`,
    cancelled: (when: string) => `Termin abgesagt: ${when}`,
    cancelledBy: (name: string, at: string) => `Abgesagt von ${name} am ${at}.`,
    reason: (text: string) => `Grund: ${text}`,
    /** Cancelled while a move was negotiated: the new date proposed then is withdrawn with it. */
    withdrawn: (when: string) => `Der Vorschlag, den Termin auf ${when} zu verschieben, ist damit zurückgezogen.`,
    icsCancel: 'Absage in den Kalender (.ics)',
    invitationCancelPending: 'Die Absage der Teams-Besprechung wird versendet.',
    invitationCancelled: 'Die Teams-Besprechung ist abgesagt und aus den Kalendern genommen.',
    invitationRetry: 'Die Teams-Besprechung ist noch nicht angepasst: der Lotse versucht es erneut. Bis dahin gilt die .ics-Datei.',
    invitationFailed: 'Die Teams-Besprechung konnte nicht angepasst werden: bitte nutzen Sie die .ics-Datei.',
    /** The trail's words for what came of the calendar entry. */
    outcomes: { created: 'Teams-Besprechung angelegt', updated: 'Teams-Besprechung auf den neuen Termin geändert', cancelled: 'Teams-Besprechung abgesagt', ics: '.ics-Datei angeboten', late: 'Teams-Besprechung erst nach der Absage angelegt, wird abgesagt', stopped: 'keine Teams-Besprechung angelegt, da der Termin abgesagt ist', retry: 'Teams nicht erreicht, .ics angeboten, neuer Versuch geplant', failed: 'Teams-Besprechung nicht möglich, .ics angeboten' } as Record<string, string>,
  },
  acknowledgedBy: (name: string, at: string) => `Zur Kenntnis und Umsetzung bestätigt von ${name} am ${at}.`,
  /** Under a paper handed in: where its link leads (the host, so the reader sees it before opening). */
  documentLink: 'Dokument',
  sent: 'Gesendet. Die oder der IB ist benachrichtigt; Sie sehen hier jeden weiteren Schritt.',
  sentKfi: 'Gesendet. Das KfI ist benachrichtigt; Sie sehen hier jeden weiteren Schritt.',
  reportSent: 'Angemeldet. Die Behördenleitung ist benachrichtigt.',
  saved: 'Gespeichert.',
  /** A click on a card from before an agreed date was cancelled (a proposal to move it, say): it went with the cancellation. */
  staleCancelled: (name: string, at: string) => `Bereits erledigt: ${name} hat den Termin am ${at} abgesagt; ein offener Terminvorschlag ist damit zurückgezogen. Es wurde nichts geändert. Die Karte zeigt den aktuellen Stand.`,
  stale: (name: string, at: string, label: string) => `Nichts geändert: ${name} hat am ${at} bereits gehandelt (Status: ${label}). Die Karte zeigt den aktuellen Stand.`,
  forbidden: 'Das dürfen Sie bei diesem Vorgang nicht. Es wurde nichts geändert.',
  /** The head side trying a step that is the IB's (the paper, acknowledging a Weisung). */
  ibSideOnly: 'Das tut die oder der Integrationsbeauftragte selbst (oder die Vertretung), nicht die Behördenleitung oder ihr Büro. Es wurde nichts geändert.',
  notFound: 'Diesen Vorgang gibt es nicht (mehr), oder er ist für Sie nicht sichtbar.',
  listMine: 'Meine Anliegen',
  listInbox: 'Offene Vorgänge',
  listReports: 'Vorträge',
  listIntroMine: (n: number) => (n ? `${n} Anliegen, neueste zuerst.` : 'Sie haben noch kein Anliegen gesendet. Schreiben Sie „Anliegen“, um eines zu senden.'),
  overdueLabel: 'Überfällig',
  listIntroInboxKfi: (n: number) => (n ? `${n} offene Anliegen an das KfI.` : 'Keine offenen Anliegen an das KfI.'),
  listIntroInbox: (n: number, name: string) => (n ? `${n} offene Anliegen für die ${name}.` : `Keine offenen Anliegen für die ${name}.`),
  listIntroReports: (n: number) => (n ? `${n} Vorträge, die Sie sehen dürfen.` : 'Keine Vorträge, die Sie sehen dürfen.'),
  inboxForbidden: 'Die offenen Vorgänge sehen die Integrationsbeauftragten, ihre Vertretungen und das KfI.',
  open: 'Öffnen',
  subtitle: (status: string, authority: string, created: string, deadline: string) => `${status} · ${authority} · ${created}${deadline ? ` · Frist ${deadline}` : ''}`,
  trailHeading: (subject: string) => `Verlauf zu „${subject}“:`,
  actions: {
    'request.create': 'angelegt', 'request.accept': 'übernommen', 'request.ask': 'Rückfrage gestellt', 'request.answer': 'geantwortet', 'request.done': 'erledigt',
    'request.reply': 'Rückfrage beantwortet', 'request.escalate': 'als Vortrag an die Behördenleitung gegeben', 'request.escalate_deputy': 'an die Vertretung weitergegeben (Erinnerung)',
    'request.overdue': 'Frist überschritten: weitergegeben',
    'report.create': 'angemeldet', 'report.decide': 'entschieden', 'report.acknowledge': 'Weisung zur Kenntnis und Umsetzung bestätigt', 'report.handIn': 'schriftlich vorgelegt',
    'report.acceptMeeting': 'Termin angenommen', 'report.counterMeeting': 'anderen Termin vorgeschlagen',
    'report.moveMeeting': 'Verschiebung vorgeschlagen', 'report.cancelMeeting': 'Termin abgesagt', 'report.paperFile': 'Datei der schriftlichen Vorlage', 'report.invitation': 'Kalendereintrag',
    'report.terminReminder': 'an den Terminvorschlag erinnert',
    'report.remind': 'Erinnerung an die Behördenleitung',
  } as Record<string, string>,
  noticeNew: (subject: string) => `Neues Anliegen: ${subject}`,
  noticeNewKfi: (subject: string) => `Neues Anliegen an das KfI: ${subject}`,
  noticeOverdue: (subject: string) => `Überfälliges Anliegen: ${subject}`,
  /** The requester's Frist: the reminders to the handler and, once it has passed, the message with the reason. */
  deadline: {
    soon: (subject: string, day: string) => `Erinnerung: Die Frist für das Anliegen „${subject}“ endet am ${day}.`,
    today: (subject: string) => `Erinnerung: Die Frist für das Anliegen „${subject}“ endet heute.`,
    overdue: (subject: string, day: string, reason: string) => `Überfällig: Das Anliegen „${subject}“ ist nicht bis zur Frist am ${day} erledigt worden. ${reason}`,
    reasons: {
      deputy: 'Sie erhalten es als Vertretung der oder des IB: bitte übernehmen Sie es oder stimmen Sie sich mit der oder dem IB ab.',
      commissioner: 'Sie erhalten es als IB, weil Ihre Vertretung es bearbeitet: bitte stimmen Sie sich mit ihr ab.',
      kfi: 'Sie erhalten es als Mitglied des KfI: bitte sorgen Sie dafür, dass es erledigt wird.',
      handler: 'Eine Vertretung ist nicht hinterlegt: bitte erledigen Sie es oder vereinbaren Sie mit der anfragenden Person eine neue Frist.',
    },
  },
  noticeReport: (subject: string) => `Neuer Vortrag: ${subject}`,
  changed: (subject: string, label: string) => `Ihr Anliegen „${subject}“: ${label}.`,
  changedReport: (subject: string, label: string) => `Ihr Vortrag „${subject}“: ${label}.`,
  replied: (subject: string) => `Antwort auf Ihre Rückfrage zu „${subject}“.`,
  remind: (subject: string) => `Erinnerung: Das Anliegen „${subject}“ wartet seit mehreren Arbeitstagen auf Bearbeitung.`,
  escalate: (subject: string) => `Weitergabe an die Vertretung: Das Anliegen „${subject}“ ist seit mehreren Arbeitstagen unbearbeitet.`,
  handedIn: (subject: string) => `Schriftliche Vorlage zum Vortrag „${subject}“: bitte entscheiden Sie erneut.`,
  meetingProposed: (subject: string, when: string) => `Terminvorschlag zum Vortrag „${subject}“: ${when}. Bitte nehmen Sie ihn auf der Karte an oder schlagen Sie einen anderen vor.`,
  meetingCounter: (subject: string, when: string) => `Die oder der IB schlägt zum Vortrag „${subject}“ einen anderen Termin vor: ${when}. Bitte nehmen Sie ihn auf der Karte an oder schlagen Sie einen anderen vor.`,
  meetingAgreed: (subject: string, when: string) => `Termin zum Vortrag „${subject}“ vereinbart: ${when}. Die Einladung steht auf der Karte.`,
  meetingMoved: (subject: string, from: string, to: string) => `Der vereinbarte Termin zum Vortrag „${subject}“ (${from}) soll verschoben werden auf: ${to}. Bitte nehmen Sie ihn auf der Karte an oder schlagen Sie einen anderen vor; bis dahin gilt der vereinbarte Termin.`,
  meetingCancelled: (subject: string, when: string, reason: string, withdrawn = '') => `Der Termin zum Vortrag „${subject}“ am ${when} ist abgesagt.${reason ? ` Grund: ${reason}` : ''}${withdrawn ? ` Der Vorschlag, ihn auf ${withdrawn} zu verschieben, ist damit zurückgezogen.` : ''} Ein neuer Termin kann auf der Karte vorgeschlagen werden.`,
  meetingRemind: (subject: string, when: string, days: number) => `Erinnerung: Der Terminvorschlag zum Vortrag „${subject}“ (${when}) wartet seit ${days === 1 ? 'einem Arbeitstag' : `${days} Arbeitstagen`} auf Ihre Antwort. Bitte nehmen Sie ihn auf der Karte an oder schlagen Sie einen anderen vor.`,
  reportRemind: (subject: string, days: number) => `Erinnerung: Der Vortrag „${subject}“ wartet seit ${days === 1 ? 'einem Arbeitstag' : `${days} Arbeitstagen`} auf Ihre Entscheidung.`,
  exportNone: 'Keine Vorgänge zum Exportieren.',
  exportHeading: (name: string, n: number) => `Verlauf aller Vorgänge der ${name} als CSV (${n} Einträge). Als Datei zum Öffnen in Excel: im Tab „Mein Lotse“ unter „Downloads“.`,
  part: (n: number, total: number) => `(Teil ${n} von ${total})`,
  exportForbidden: 'Den Export sehen die Integrationsbeauftragten und ihre Vertretungen.',
  help: [
    {
      heading: 'Anliegen an die oder den IB',
      description: 'Beratung, Beteiligung an einer geplanten Maßnahme (Nr. 5 a), Information: als Formular an die oder den IB Ihrer Bezirksregierung; Sie sehen jeden Schritt.',
      examples: '„Anliegen“ · „Meine Anliegen“ · „Meine Daten“',
    },
    {
      heading: 'Für IB: Vorgänge und Vortrag',
      description: 'Offene Anliegen bearbeiten, Vortrag an die Behördenleitung anmelden (Nr. 4), Verlauf als CSV exportieren.',
      examples: '„Offene Vorgänge“ · „Vortrag“ · „Vorträge“ · „Export“',
      audience: ['commissioner'],
    },
    {
      heading: 'Für die Behördenleitung: Vorträge entscheiden',
      description:
        'Meldet die oder der IB einen Vortrag an (Nr. 4), erhalten Sie die Karte im Chat, bis zur Entscheidung mit Erinnerungen. Entscheiden Sie auf der Karte oder im Tab „Mein Lotse“ unter „Vorträge“: Termin vorschlagen, schriftliche Vorlage anfordern, zur Kenntnis nehmen, Weisung erteilen oder ablehnen. Ihr Büro sieht dieselbe Karte und entscheidet in Vertretung, wenn das Verzeichnis es dazu berechtigt.',
      examples: '„Vorträge“',
      audience: ['head'],
    },
  ],
  /**
   * Whether a Vortrag reached the head in Teams: the line on the IB's card and in the tab, the message the IB gets at
   * once when it did not, and the e-mail to the head (only the report's subject and a link: no other personal data).
   */
  headReach: {
    reached: 'Leitung erreicht',
    viaOffice: (office: string) => `Der Vortrag ging an das Büro: ${office}.`,
    viaMail: (email: string) => `Der Vortrag ging per E-Mail an ${email}.`,
    noFallback: 'Bitte informieren Sie die Behördenleitung auf anderem Weg.',
    /** The card's and the tab's short forms. */
    viaOfficeShort: 'ging an das Büro der Behördenleitung',
    viaMailShort: 'ging per E-Mail an die Behördenleitung',
    noFallbackShort: 'bitte auf anderem Weg informieren',
    line: (reason: string, then: string) => `Leitung nicht erreichbar: ${reason}; ${then}`,
    message: (subject: string, reason: string, then: string) => `Die Behördenleitung ist in Teams nicht erreichbar (${reason}). Ihr Vortrag „${subject}“: ${then}`,
    reasons: { notInstalled: 'App nicht installiert', removedByUser: 'hat die App entfernt', blocked: 'hat den Bot blockiert', installFailed: 'Installation fehlgeschlagen', failed: 'Zustellung fehlgeschlagen', noTeamsIdentity: 'im Verzeichnis ohne Teams-Konto' },
    mailSubject: (subject: string) => `Vortrag der oder des Integrationsbeauftragten: ${subject}`,
    mailBody: (authority: string, subject: string, link: string) =>
      `Die oder der Integrationsbeauftragte der ${authority} hat einen Vortrag bei Ihnen angemeldet: „${subject}“.\n\n` +
      `Der Lotse konnte Sie in Microsoft Teams nicht erreichen. ${link ? `Den Vortrag öffnen und entscheiden: ${link}` : 'Sie finden den Vortrag in Teams in der App „Lotse“, Tab „Mein Lotse“, unter „Vorträge“.'}\n\n` +
      'Diese Nachricht wurde automatisch gesendet.',
  },
  /** A file the IB sent in the personal chat as the paper the head asked for (issue 17). */
  paperFile: {
    heading: 'Datei als schriftliche Vorlage',
    question: (subject: string) => `Als Vorlage zu „${subject}“ einreichen?`,
    chooseQuestion: 'Mehrere Vorträge warten auf Ihre schriftliche Vorlage. Zu welchem gehört diese Datei?',
    fileLabel: 'Datei',
    chooseLabel: 'Vortrag',
    chooseMissing: 'Bitte wählen Sie den Vortrag.',
    confirm: 'Als Vorlage einreichen',
    hint: (days: number) => `Die Behördenleitung und ihr Büro erhalten die Datei in Teams zum Annehmen. Bis dahin bewahrt der Lotse sie auf, höchstens ${days} Tage; danach wird sie gelöscht.`,
    notIbSide: 'Dateien nimmt der Lotse nur als schriftliche Vorlage zu einem Vortrag an, und nur von der oder dem Integrationsbeauftragten oder der Vertretung. Es wurde nichts gespeichert.',
    noneWaiting: 'Kein Vortrag wartet gerade auf eine schriftliche Vorlage von Ihnen. Die Datei wurde nicht übernommen; es wurde nichts gespeichert.',
    oneAtATime: 'Bitte senden Sie eine Datei je Nachricht. Es wurde nichts gespeichert.',
    /** The line under the paper on the item card. */
    line: (name: string, relayed: boolean) => (relayed ? `Datei: ${name} (in Teams an Behördenleitung und Büro gesandt)` : `Datei: ${name} (bei der oder dem Integrationsbeauftragten erhältlich)`),
    expired: 'Teams gibt dem Lotsen nur wenige Minuten, um eine Datei abzurufen, und diese Zeit war um. Bitte senden Sie die Datei noch einmal. Es wurde nichts gespeichert.',
    failed: 'Die Datei konnte gerade nicht abgerufen werden. Bitte senden Sie sie in einigen Minuten noch einmal. Es wurde nichts gespeichert.',
    tooLarge: (mb: number) => `Die Datei ist größer als ${mb} MB. Bitte legen Sie sie in SharePoint oder OneDrive ab und reichen Sie den Link auf der Karte des Vortrags ein („Vorlage einreichen“). Es wurde nichts gespeichert.`,
    wrongType: 'Als Vorlage nimmt der Lotse Dokumente an: PDF, Word, OpenDocument, RTF, Text, Excel oder PowerPoint. Bitte senden Sie die Vorlage in einem dieser Formate. Es wurde nichts gespeichert.',
    gone: 'Diese Datei liegt dem Lotsen nicht mehr vor (eine nicht eingereichte Datei wird nach einem Tag gelöscht). Bitte senden Sie sie noch einmal.',
    usedElsewhere: 'Diese Datei ist schon als Vorlage zu einem anderen Vortrag eingereicht. Für einen weiteren Vortrag senden Sie die Datei bitte noch einmal.',
    notYours: 'Diese Datei haben nicht Sie gesendet; einreichen kann sie nur, wer sie gesendet hat.',
    /** The trail's word for what came of the file offered to one person of the head side. */
    outcomes: { delivered: 'in OneDrive übernommen', declined: 'abgelehnt' } as Record<string, string>,
    /** The file consent card the head side receives: what the file is. */
    offer: (subject: string) => `Schriftliche Vorlage zum Vortrag „${subject}“. Mit „Zulassen“ legt Teams die Datei in Ihrem OneDrive ab.`,
    offerSummary: 'Schriftliche Vorlage als Datei',
    delivered: (name: string) => `Die Vorlage „${name}“ liegt jetzt in Ihrem OneDrive (Ordner „Microsoft Teams Chat Files“).`,
    declined: (name: string) => `Sie haben die Datei „${name}“ abgelehnt. Die Vorlage bleibt auf der Karte des Vortrags vermerkt; die Datei selbst erhalten Sie von der oder dem Integrationsbeauftragten.`,
    uploadFailed: (name: string) => `Die Datei „${name}“ konnte nicht in Ihr OneDrive übertragen werden. Sie erhalten sie hier noch einmal zum Annehmen.`,
    unavailable: 'Diese Datei liegt dem Lotsen nicht mehr vor (ihre Aufbewahrungsfrist ist abgelaufen oder sie wurde schon zugestellt). Bitte wenden Sie sich an die oder den Integrationsbeauftragten.',
    notForYou: 'Diese Datei ist für die Behördenleitung und ihr Büro bestimmt. Es wurde nichts übertragen.',
  },
};
