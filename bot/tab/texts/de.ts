/**
 * The words of the personal tab's workflow sections (Anliegen, Vorträge, Koordinierungskreis and the KfI's composer)
 * that no workflow's own resource file has. German, the default; `en.ts` has the same keys. Texts the workflows
 * already have (status labels, field names, "Nächste Sitzung" …) come from `services/requests/texts` and
 * `services/circle/texts`.
 */
export const de = {
  /** Kind labels of the lists; an Anliegen is labelled with the requests' `requestHeading`. */
  kind: { report: 'Vortrag' },
  circle: {
    poll: 'Terminumfrage',
    pollAnswered: 'Beantwortet',
    pollUnanswered: 'Antwort fehlt',
    /** The viewer's reply to the next meeting. */
    rsvp: { accept: 'Zugesagt', decline: 'Abgesagt', delegate: 'Vertretung gemeldet', open: 'Rückmeldung fehlt' },
  },
  composer: {
    fields: {
      slot: (n: number) => `Termin ${n}`,
      slotHint: '2 bis 10 Termine (Beginn, deutsche Zeit); leere Felder zählen nicht.',
      hours: (hours: number) => `${String(hours).replace('.', ',')} Std.`,
      onlineUrl: 'Online-Link',
      urlHint: 'Beginnt mit https://, z. B. der Link zur Teams-Besprechung.',
      placeHint: 'Ort oder Online-Link: mindestens eines von beiden.',
      rsvpDeadline: 'Rückmeldung bis',
    },
    poll: {
      description: 'Schlagen Sie dem Koordinierungskreis Termine vor; jedes Mitglied antwortet mit Ja, Vielleicht oder Nein.',
      send: 'Umfrage senden',
      sent: (title: string, members: number) => `Die Terminumfrage „${title}“ ist angelegt und geht an ${members} Mitglieder des Koordinierungskreises.`,
    },
    meeting: {
      description: 'Die Einladung geht an alle Mitglieder des Koordinierungskreises; Erinnerungen werden geplant.',
      send: 'Einladung senden',
      sent: (title: string, members: number) => `Die Sitzung „${title}“ ist angekündigt: Die Einladung geht an ${members} Mitglieder, Erinnerungen sind geplant.`,
    },
  },
};
