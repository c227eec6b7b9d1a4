/** Texts of the answers every workflow gives alike (refusals, input problems). German, the default. */
export const de = {
  forbidden: 'Das dürfen Sie hier nicht. Es wurde nichts geändert.',
  notFound: 'Diesen Vorgang gibt es nicht (mehr), oder er ist für Sie nicht sichtbar.',
  closed: 'Das ist nicht mehr möglich: Der Vorgang ist abgeschlossen. Es wurde nichts geändert.',
  unavailable: 'Das geht gerade nicht. Es wurde nichts geändert.',
  problems: (list: string) => `Bitte prüfen: ${list}.`,
  problem: {
    missing: 'fehlt',
    too_long: 'ist zu lang',
    bad_date: 'ist kein gültiges Datum',
    past_date: 'liegt in der Vergangenheit',
    bad_time: 'ist keine gültige Uhrzeit (HH:MM)',
    bad_url: 'muss mit https:// beginnen',
    unknown_value: 'ist keine der angebotenen Möglichkeiten',
    too_many: 'hat zu viele Einträge',
    personal_data: 'enthält personenbezogene Daten Dritter',
  },
};
