import { skeleton } from './normalize';

/**
 * Ordinary German and English words that occur in staff questions. They are never fuzzily matched to a
 * place name ("vielen" is not Velen, "Herrn" is not Herne), and a place whose name is one of them
 * ("Essen", "Lage", "Enger", "Wetter", "Wenden", "Senden") only counts as a place after a cue such as
 * "für", "in" or "Stadt". Keep the list to real words; place names do not belong here unless they are
 * also everyday words.
 */
const GERMAN = `
der die das den dem des ein eine einen einem einer eines kein keine keinen keiner
ich du er sie es wir ihr mich mir dich dir uns euch ihm ihn ihnen man sich selbst
mein meine meinen meinem meiner meines dein deine unser unsere unseren unserem unserer euer eure ihre ihren ihrem ihrer sein seine seinen seinem seiner
wer wen wem wessen was wie wo woher wohin wann warum weshalb wieso welche welcher welches welchen welchem wozu womit wofür worum wobei
und oder aber doch denn sondern sowie bzw beziehungsweise auch noch schon nur sehr mal gern gerne bitte danke dank vielen viele vieles vielleicht
ist sind bin bist war waren wird werden wurde wurden worden sei wäre wären hat haben habe hast hatte hatten gibt gab geben gegeben
kann kannst können könnte könnten muss musst müssen müsste darf darfst dürfen dürfte soll sollst sollen sollte will willst wollen wollte möchte möchten möchtest mag
in im ins an am auf aus bei beim mit nach seit von vom vor zu zum zur über unter um durch für gegen ohne bis ab per pro laut gemäß wegen trotz zwischen neben innerhalb außerhalb
nicht nichts kein ja nein hier dort da dann wenn ob dass weil damit als so wie noch etwa ganz genau jetzt heute morgen gestern bald immer nie oft wieder
es geht gehen ging kommt kommen kam kamen sagen sagt sage frage fragen fragt gefragt suche suchen sucht finden finde findet gefunden brauche brauchen braucht
arbeite arbeiten arbeitet tätig beschäftigt bezirk stelle stellen wissen weiß kennen kenne kennt helfen hilft geholfen
neu neue neuen neuer alt alte groß große klein kleine gut gute besser beste richtig falsch
herr herrn frau hr fr dr prof familie kollege kollegin kollegen kolleginnen mitarbeiter mitarbeiterin mitarbeitende beschäftigte beschäftigten person personen leute mensch menschen
stadt gemeinde kommune kommunen kreis kreise kreises ort orte region land bund bundesland nrw nordrhein westfalen
name namen telefon nummer adresse mail email büro raum haus
lage essen wetter enger wenden senden heiden kamen halle schlangen löhne recke siegen alpen hammer much leer norden worms heide wanne
zuständig zuständige zuständigen zuständigkeit verantwortlich
bezirksregierung bezirksregierungen regierung regierungsbezirk behörde behörden verwaltung amt ämter dezernat abteilung referat
termin termine datum uhr woche monat jahr jahre tag tage
thema themen fall fälle sache sachen punkt frage fragen antwort antworten info infos information informationen
gilt gelten geregelt regelung regel regeln vorgabe
bestimmt bestimmte allgemein allgemeine speziell konkret konkrete
etwas alles alle allen jede jeder jedes jeden andere anderen anderer
eigentlich überhaupt insbesondere vor allem zuerst zuletzt erst erste ersten nächste nächsten letzte letzten
bescheid bescheide antrag anträge antragsteller formular formulare unterlagen dokument dokumente akte akten vorgang vorgänge verfahren
projekt projekte maßnahme maßnahmen frist fristen schreiben brief briefe bericht berichte protokoll sitzung sitzungen besprechung
anliegen anfrage anfragen nachricht nachrichten problem probleme lösung hilfe unterstützung beratung gespräch gespräche
mitteilung hinweis hinweise liste übersicht kontakt kontakte ansprechpartner ansprechpartnerin ansprechperson
übersetzung übersetzungen sprache sprachen deutsch englisch beispiel beispiele
heute morgen woche montag dienstag mittwoch donnerstag freitag samstag sonntag
januar februar märz april mai juni juli august september oktober november dezember
geld kosten zeit ziel ziele grund gründe ergebnis ergebnisse wichtig dringend schnell
ministerium landesregierung landtag gesetz gesetze erlass erlasse verordnung richtlinie
liegt liegen lag befindet befinden sitzt sitzen gehört gehören gehörte zählt zählen fällt fallen heißt heißen nennt nennen
bekomme bekommen erhalte erhalten schicke schicken sende senden schreibe schreiben rufe rufen anrufen lese lesen
gilt gelten bleibt bleiben passiert passieren stimmt stimmen klappt funktioniert dauert dauern kostet
`;

const ENGLISH = `
the a an this that these those there here it its i me my mine we us our ours you your yours he him his she her they them their
who whom whose what which where when why how whats
is are was were be been being am do does did done have has had having can could may might must shall should will would
to of in on at by for from with about into over under between through during without within near
and or but not no yes if then than so as also too only just very please thanks thank hello hi
get got find tell show give know need want like help
office person people staff colleague city town municipality district county state region government
responsible contact phone number email address name
`;

function buildSet(...lists: string[]): ReadonlySet<string> {
  const out = new Set<string>();
  for (const list of lists) {
    for (const w of list.split(/\s+/)) {
      if (w) out.add(skeleton(w));
    }
  }
  return out;
}

/** Skeleton keys of ordinary words (see {@link skeleton}). */
export const COMMON_WORDS: ReadonlySet<string> = buildSet(GERMAN, ENGLISH);

/**
 * Words directly before a place that mark it as a place ("für Essen", "in Lage", "Stadt Wetter",
 * "for Cologne"). Skeleton keys.
 */
export const PLACE_CUES: ReadonlySet<string> = buildSet(`
für fuer in im aus bei nach von vom zu zur
stadt gemeinde kommune kreis landkreis kreisstadt ortsteil stadtteil stadtverwaltung gemeindeverwaltung kreisverwaltung
for from of at to near city town municipality
`);

/** Titles before a person's name: a place name right after one is a surname ("Frau Hagen"). */
export const PERSON_TITLES: ReadonlySet<string> = buildSet('herr herrn frau hr fr dr prof mr mrs ms miss');
