/**
 * Word lists of the privacy guard (see `privacy.ts`): the special categories of Art. 9 GDPR as staff write them in
 * German and English, the words that name a person, and the words that turn a category word into talk about a
 * group or a topic. Lower case; umlauts as written. Keep the lists to whole words: a prefix would catch
 * "Islamwissenschaften" or "interreligiös".
 */

/** The Art. 9 categories the guard recognises (plus residence status, filed with origin). */
export type SpecialCategory = 'origin' | 'religion' | 'health' | 'orientation';

/**
 * How a word signals its category:
 * - `word`: on its own ("Muslima", "schwanger", "HIV"), inflected adjective forms included where `adj` is set;
 * - `context`: an adjective of origin or faith that says something about a person only as a predicate
 *   ("ist syrisch", "is Jewish") or before a word about a person or descent ("türkischer Herkunft",
 *   "muslimische Kollegin"), not in "türkisches Frühstück" or "spricht Arabisch";
 * - `plural`: a plural noun ("Muslime", "refugees"), about a group unless a copula ties it to someone
 *   ("Herr und Frau Yilmaz sind Muslime").
 */
export type CueClass = 'word' | 'context' | 'plural';

export interface Cue {
  kind: SpecialCategory;
  cls: CueClass;
}

const words = (list: string): string[] => list.split(/\s+/).filter(Boolean);

/** Adjective stems: the guard also tries a word without the endings -e, -er, -es, -en, -em. */
const ADJECTIVE_ENDINGS = ['en', 'em', 'er', 'es', 'e'] as const;

const ORIGIN_CONTEXT_ADJ = words(`
  syrisch türkisch afghanisch irakisch iranisch ukrainisch russisch polnisch rumänisch bulgarisch eritreisch somalisch
  nigerianisch ghanaisch marokkanisch algerisch tunesisch libanesisch palästinensisch kosovarisch albanisch serbisch
  bosnisch kroatisch mazedonisch nordmazedonisch griechisch italienisch vietnamesisch chinesisch indisch pakistanisch
  kurdisch armenisch georgisch tschetschenisch äthiopisch sudanesisch kongolesisch kamerunisch gambisch guineisch
  afrikanisch asiatisch arabisch ausländisch jemenitisch libysch ägyptisch kasachisch moldauisch tamilisch
  staatsangehörig
  syrian turkish afghan iraqi iranian ukrainian russian polish romanian bulgarian eritrean somali nigerian ghanaian
  moroccan algerian tunisian lebanese palestinian kosovar albanian serbian bosnian croatian macedonian vietnamese
  chinese pakistani kurdish armenian georgian chechen ethiopian sudanese congolese cameroonian gambian african asian
  arab yemeni libyan egyptian
`);

const ORIGIN_WORDS = words(`
  syrer syrerin türke türkin afghane afghanin iraker irakerin iraner iranerin ukrainer ukrainerin russe russin
  pole polin rumäne rumänin bulgare bulgarin eritreer eritreerin somalier somalierin nigerianer nigerianerin ghanaer
  ghanaerin marokkaner marokkanerin algerier algerierin tunesier tunesierin libanese libanesin palästinenser
  palästinenserin kosovare kosovarin albaner albanerin serbe serbin bosnier bosnierin kroate kroatin grieche griechin
  vietnamese vietnamesin chinese chinesin inder inderin pakistaner pakistanerin kurde kurdin armenier armenierin
  georgier georgierin tschetschene tschetschenin äthiopier äthiopierin sudanese sudanesin kongolese kongolesin
  kameruner kamerunerin gambier gambierin afrikaner afrikanerin araber araberin jemenit jemenitin ägypter ägypterin
  ausländer ausländerin migrant migrantin immigrant immigrantin zugewandert eingewandert
  roma romni sinti sintiza ethnisch ethnie hautfarbe
  staatsangehörigkeit staatsbürgerschaft nationalität herkunftsland herkunftsländer
  migrationshintergrund einwanderungsgeschichte zuwanderungsgeschichte migrationsgeschichte fluchtgeschichte
  fluchthintergrund zuwanderungshintergrund
  flüchtling geflüchtet asylbewerber asylbewerberin asylsuchend asylantrag geduldet duldung ausreisepflichtig
  abgeschoben abschiebung
  refugee asylum immigrant migrant undocumented deported deportation nationality citizenship ethnic ethnicity
  descent
`);
const ORIGIN_WORD_STEMS = words('stämmig türkeistämmig ethnisch zugewandert eingewandert asylsuchend geflüchtet geduldet');
const ORIGIN_PLURALS = words(`
  geflüchtete geflüchteten flüchtlinge flüchtlingen asylbewerbern migranten migrantinnen zuwanderer zugewanderte
  zugewanderten ausländern ausländerinnen refugees migrants immigrants asylum-seekers
`);

const RELIGION_CONTEXT_ADJ = words(`
  muslimisch islamisch christlich katholisch evangelisch protestantisch orthodox jüdisch hinduistisch buddhistisch
  alevitisch jesidisch sunnitisch schiitisch religiös gläubig atheistisch
  islamic christian catholic protestant orthodox jewish hindu buddhist religious devout
`);
const RELIGION_WORDS = words(`
  muslim muslima muslimin moslem moslemin christ christin katholik katholikin protestant protestantin jude jüdin
  hindu buddhist buddhistin sikh alevit alevitin jeside jesidin yezide yezidin sunnit sunnitin schiit schiitin
  atheist atheistin konvertit konvertitin konfessionslos
  religion religionszugehörigkeit konfession islam kopftuch hijab niqab burka kippa moschee synagoge gebetsraum
  ramadan fastet betet konvertiert getauft übergetreten christentum judentum
  jew atheist religion headscarf mosque synagogue prays converted baptised baptized
`);
const RELIGION_PLURALS = words(`
  muslime muslimen moslems christen juden katholiken protestanten hindus buddhisten aleviten jesiden sunniten
  schiiten atheisten muslims christians jews catholics protestants hindus buddhists sikhs
`);

const HEALTH_WORDS = words(`
  krank erkrankt krankheit krankheiten erkrankung erkrankungen krankgeschrieben krankgemeldet krankmeldung
  krankheitsbedingt arbeitsunfähig arbeitsunfähigkeit gesundheitszustand behindert behinderung
  behinderungen schwerbehindert schwerbehinderung schwerbehindertenausweis gdb pflegegrad pflegebedürftig
  rollstuhl rollstuhlfahrer rollstuhlfahrerin blind gehörlos psychisch depression depressionen depressiv burnout
  trauma traumatisiert ptbs angststörung panikattacken suizid suizidal suizidgefährdet hiv aids krebs diabetes
  diabetiker diabetikerin epilepsie epileptiker epileptikerin demenz dement autismus autistisch adhs schlaganfall
  herzinfarkt chemotherapie psychotherapie therapie psychiatrie psychiatrisch dialyse süchtig alkoholkrank
  alkoholiker alkoholikerin drogenabhängig alkoholsucht drogensucht spielsucht medikamentenabhängig schwanger
  schwangerschaft fehlgeburt diagnose diagnostiziert medikamente operiert infiziert bipolar schizophren schizophrenie
  belastungsstörung persönlichkeitsstörung essstörung zwangsstörung posttraumatisch magersucht
  ill illness sick sickness disease disabled disability wheelchair deaf mental depressed anxiety traumatised
  traumatized ptsd suicidal cancer diabetic epilepsy epileptic dementia autism autistic adhd pregnant
  pregnancy miscarriage addiction addicted alcoholic therapy psychiatric diagnosis diagnosed medication surgery
  hospitalised hospitalized chemotherapy dialysis
`);
/** Health adjectives that inflect ("kranke", "psychischen", "schwangere"). */
const HEALTH_ADJ = words('posttraumatisch schizophren krank erkrankt behindert schwerbehindert psychisch depressiv traumatisiert suizidal dement autistisch psychiatrisch süchtig alkoholkrank drogenabhängig schwanger krankheitsbedingt pflegebedürftig arbeitsunfähig');
/** Endings of German compounds about health ("Krebserkrankung", "Brustkrebs", "Lernbehinderung"). */
export const HEALTH_SUFFIXES = ['erkrankung', 'erkrankungen', 'krankheit', 'krankheiten', 'krebs', 'behinderung', 'behinderungen', 'therapie', 'depression'] as const;
/** Fragments that the endings above and "-stämmig" contain, for the quick pre-scan. */
export const COMPOUND_FRAGMENTS = /krank|krebs|behinder|therapie|depress|stämmig/i;

const ORIENTATION_WORDS = words(`
  schwul lesbisch lesbe bisexuell homosexuell heterosexuell queer transgender transsexuell transident trans
  intersexuell intergeschlechtlich nichtbinär nicht-binär geoutet coming-out outing lgbt lgbtq lgbtiq lgbtqia
  lsbti lsbtiq sexuell sexuelle sexuellen homosexualität bisexualität transsexualität sexualität
  gay lesbian bisexual homosexual heterosexual non-binary nonbinary intersex sexual homosexuality sexuality
`);
const ORIENTATION_ADJ = words('schwul lesbisch bisexuell homosexuell heterosexuell queer transsexuell transident intersexuell intergeschlechtlich nichtbinär sexuell');
const ORIENTATION_PLURALS = words('schwule schwulen lesben homosexuelle homosexuellen gays lesbians');

function buildCues(): Map<string, Cue> {
  const map = new Map<string, Cue>();
  const put = (list: readonly string[], kind: SpecialCategory, cls: CueClass) => {
    for (const w of list) if (!map.has(w)) map.set(w, { kind, cls });
  };
  // Plural forms first: "Geflüchtete" is a group, not the adjective "geflüchtet" inflected.
  put(ORIGIN_PLURALS, 'origin', 'plural');
  put(RELIGION_PLURALS, 'religion', 'plural');
  put(ORIENTATION_PLURALS, 'orientation', 'plural');
  put(ORIGIN_WORDS, 'origin', 'word');
  put(RELIGION_WORDS, 'religion', 'word');
  put(HEALTH_WORDS, 'health', 'word');
  put(ORIENTATION_WORDS, 'orientation', 'word');
  put(ORIGIN_CONTEXT_ADJ, 'origin', 'context');
  put(RELIGION_CONTEXT_ADJ, 'religion', 'context');
  return map;
}

/** Every category word in its listed form. */
export const CUES: ReadonlyMap<string, Cue> = buildCues();

/** Stems whose inflected forms ("kranke", "syrischer", "muslimischen") carry the same signal. */
const ADJECTIVE_STEMS: ReadonlyMap<string, Cue> = (() => {
  const map = new Map<string, Cue>();
  for (const w of ORIGIN_CONTEXT_ADJ) map.set(w, { kind: 'origin', cls: 'context' });
  for (const w of RELIGION_CONTEXT_ADJ) map.set(w, { kind: 'religion', cls: 'context' });
  for (const w of ORIGIN_WORD_STEMS) map.set(w, { kind: 'origin', cls: 'word' });
  for (const w of HEALTH_ADJ) map.set(w, { kind: 'health', cls: 'word' });
  for (const w of ORIENTATION_ADJ) map.set(w, { kind: 'orientation', cls: 'word' });
  return map;
})();

/** Every listed form and adjective stem (for the guard's quick pre-scan). */
export function cueForms(): string[] {
  return [...CUES.keys(), ...ADJECTIVE_STEMS.keys()];
}

/** The category signal of one lower-case word, if any (listed form, adjective ending, health compound). */
export function cueOf(lower: string): Cue | undefined {
  const direct = CUES.get(lower);
  if (direct) return direct;
  for (const ending of ADJECTIVE_ENDINGS) {
    if (lower.length > ending.length + 3 && lower.endsWith(ending)) {
      const stem = ADJECTIVE_STEMS.get(lower.slice(0, -ending.length));
      if (stem) return stem;
    }
  }
  if (lower.endsWith('stämmig') || lower.endsWith('stämmige') || lower.endsWith('stämmiger') || lower.endsWith('stämmigen')) return { kind: 'origin', cls: 'word' };
  for (const suffix of HEALTH_SUFFIXES) {
    if (lower.length >= suffix.length + 3 && lower.endsWith(suffix)) return { kind: 'health', cls: 'word' };
  }
  return undefined;
}

/** Countries and regions people come from ("aus Syrien", "from Syria"); NRW's EU neighbours are left out on purpose. */
export const COUNTRIES: ReadonlySet<string> = new Set(
  words(`
    syrien türkei afghanistan irak iran ukraine russland polen rumänien bulgarien eritrea somalia nigeria ghana marokko
    algerien tunesien libanon palästina kosovo albanien serbien bosnien kroatien nordmazedonien mazedonien griechenland
    italien spanien portugal vietnam china indien pakistan armenien georgien tschetschenien äthiopien sudan kongo
    kamerun gambia guinea afrika asien kurdistan jemen libyen ägypten gaza jordanien kasachstan belarus moldau
    venezuela kolumbien brasilien bangladesch
    syria turkey iraq russia poland romania bulgaria morocco algeria tunisia lebanon palestine albania serbia bosnia
    croatia macedonia greece italy spain india armenia georgia chechnya ethiopia congo cameroon africa asia yemen libya
    egypt jordan kazakhstan colombia brazil bangladesh
  `),
);

/** Words before a country that say someone comes from there. */
export const FROM_WORDS: ReadonlySet<string> = new Set(words('aus from'));
/** Words around a country or year that say born there or then. */
export const BORN_WORDS: ReadonlySet<string> = new Set(words('geboren geb born jahrgang jg geburtsjahr birth'));
/** Articles between "aus" and a country ("aus der Türkei", "from the Congo"). */
export const ARTICLES: ReadonlySet<string> = new Set(words('der dem den die das the'));

/** Copulas (and "als"/"as"), which tie a predicate to the person before them. */
export const COPULAS: ReadonlySet<string> = new Set(words('ist sind war waren sei seien wäre wird wurde wurden gilt als bleibt is are was were be being as'));

/**
 * Nouns after an adjective of origin or faith that make it about a person or their descent
 * ("türkischer Herkunft", "muslimischen Glaubens", "a Polish national", "eine syrische Familie").
 */
export const PERSON_HEADS: ReadonlySet<string> = new Set(
  words(`
    staatsangehörige staatsangehöriger staatsangehörigen staatsbürger staatsbürgerin staatsbürgers herkunft abstammung
    wurzeln glaubens glauben familie mann frau kollege kollegin kollegen mitarbeiter mitarbeiterin ehemann ehefrau
    mutter vater sohn tochter flüchtling migrant migrantin christ christin muslima muslim muslimin herr herrn
    national citizen descent origin background roots heritage man woman family colleague refugee immigrant migrant
    husband wife mother father son daughter mr mrs ms
  `),
);

/** Nouns for groups and organisations: a category word next to one is about many, not about the person named. */
export const GROUP_WORDS: ReadonlySet<string> = new Set(
  words(`
    menschen personen familien gemeinden gemeinde gemeinschaft gemeinschaften community communities verein vereine
    vereinen verband verbände verbänden kirche kirchen kirchengemeinde kirchengemeinden union zentrum zentren
    kulturverein kulturvereine organisation organisationen einrichtung einrichtungen kita kitas schule schulen
    feiertag feiertage feiertagen fest feste festen seelsorge dialog kinder kindern jugendliche jugendlichen frauen
    männer männern mädchen jungen geflüchtete geflüchteten flüchtlinge flüchtlingen zuwanderer zugewanderte
    zugewanderten migranten migrantinnen bevölkerung diaspora mitbürger mitbürgerinnen bürger bürgerinnen
    mitarbeitende mitarbeitenden beschäftigte beschäftigten studierende studierenden schüler schülerinnen
    schülern patienten patientinnen betroffene betroffenen angehörige angehörigen kolleginnen kollegen teilnehmende
    teilnehmenden gruppen gruppe netzwerk netzwerke vereinigung vereinigungen gemeindeleben religionsunterricht
    studien studies
    people persons families communities children women men girls boys refugees migrants groups organisations
    organizations association associations church churches holidays holiday patients pupils students staff employees
    citizens residents population network networks colleagues members
  `),
);

/** Words that frame a category word as the subject of a talk, course or field ("Fachtag zum Thema Religion"). */
export const TOPIC_WORDS: ReadonlySet<string> = new Set(
  words(`
    thema themen themenfeld themenbereich fortbildung fortbildungen schulung schulungen workshop workshops seminar
    seminare fachtag fachtagung tagung konferenz vortrag vorträge veranstaltung veranstaltungen experte expertin
    studium forschung
    topic topics training trainings seminar conference lecture talk course expert research
  `),
);

/** Words around a language name that make it a language ("spricht fließend Türkisch", "Arabic interpreter"). */
export const LANGUAGE_WORDS: ReadonlySet<string> = new Set(
  words(`
    spricht sprechen spreche sprach fließend übersetzt übersetzen dolmetscht dolmetschen sprachkenntnisse kenntnisse
    sprache dolmetscher dolmetscherin übersetzung übersetzer übersetzerin sprachkurs muttersprache
    speaks speak spoke fluent fluently translates translate interpreter translation translator language speaker
  `),
);

/** Third-person pronouns: a later sentence that uses one still speaks about the person named before. */
export const PRONOUNS: ReadonlySet<string> = new Set(
  words('er sie ihm ihn ihr sein seine seinen seinem seiner ihre ihren ihrem ihrer he she him his her hers'),
);

/** Forms of address before a surname. */
export const HONORIFICS: ReadonlySet<string> = new Set(words('herr herrn hr frau fr mr mrs ms miss mx dr prof familie family'));

/**
 * Titles and offices after a form of address: "Herr Präsident" and "Frau Ministerin" address an office, not a
 * named person (unless a name follows: "Frau Ministerin Scharrenbach").
 */
export const ROLE_WORDS: ReadonlySet<string> = new Set(
  words(`
    dr doktor prof professor professorin präsident präsidentin vizepräsident vizepräsidentin regierungspräsident
    regierungspräsidentin minister ministerin staatssekretär staatssekretärin bürgermeister bürgermeisterin
    oberbürgermeister oberbürgermeisterin landrat landrätin abgeordnete abgeordneter vorsitzende vorsitzender
    direktor direktorin dezernent dezernentin kollege kollegin pfarrer pfarrerin richter richterin beauftragte
    beauftragter integrationsbeauftragte integrationsbeauftragter leiter leiterin amtsleiter amtsleiterin kanzler
    kanzlerin konsul konsulin generalkonsul generalkonsulin botschafter botschafterin referentin referent
    president minister mayor speaker chair chairman chairwoman ambassador director professor doctor
  `),
);
/** Endings of German office titles ("Gleichstellungsbeauftragte", "Regierungsvizepräsident"). */
export const ROLE_SUFFIXES = ['beauftragte', 'beauftragter', 'präsident', 'präsidentin', 'minister', 'ministerin', 'meisterin', 'leiterin', 'direktorin', 'sekretärin', 'dezernentin', 'vorsitzende', 'vorsitzender'] as const;

/** Singular nouns for someone in a case, which a name may follow ("Klientin A.", "Kollege Demir"). */
export const PERSON_NOUNS: ReadonlySet<string> = new Set(
  words(`
    kollege kollegin klient klientin mandant mandantin antragsteller antragstellerin bewohner bewohnerin schüler
    schülerin patient patientin kunde kundin nachbar nachbarin mitarbeiter mitarbeiterin sachbearbeiter
    sachbearbeiterin praktikant praktikantin auszubildende auszubildender teilnehmer teilnehmerin
    colleague client applicant resident pupil student patient neighbour neighbor employee
  `),
);
/** Articles that make the person noun indefinite ("wenn ein Schüler Probleme hat"): no name follows. */
export const INDEFINITE: ReadonlySet<string> = new Set(words('ein eine einen einem einer eines a an any jeder jede jedem'));

/**
 * Common first names of staff and the people they work with (German, Turkish, Arabic, Persian, Slavic, Balkan,
 * African, English). A first name followed by a capitalised word or an initial names a person ("Fatima Khan",
 * "Ahmed K."). Names that are also ordinary words (August, Mai, Frank, Will, Rose) are left out.
 */
export const FIRST_NAMES: ReadonlySet<string> = new Set(
  words(`
    anna maria sabine petra andrea claudia susanne birgit monika ursula stefanie julia katharina laura lena lea sarah
    sophie hannah emma mia lisa jana nina sandra nicole tanja kerstin heike martina karin gabriele christine
    elisabeth barbara renate erika ingrid johanna tina karla frieda rita jessica melanie anja silke katrin bettina
    thomas michael andreas stefan peter klaus wolfgang jürgen uwe hans markus christian martin daniel tobias jan
    sebastian alexander florian matthias frank jens dirk sven torsten holger bernd ralf rainer dieter manfred werner
    helmut heinz karl paul lukas leon felix jonas max moritz otto bert fritz erik tim tom ben noah elias
    mehmet ahmet mustafa ali hasan hüseyin ibrahim ismail murat emre burak can cem deniz kemal osman yusuf ömer
    fatma ayşe ayse emine hatice zeynep elif merve esra büşra özlem aylin derya selin songül gül leyla
    ahmed ahmad mohammed mohammad muhammad mohamed mahmoud omar khaled khalid hassan hussein karim rami samir tarek
    walid youssef yousef abdullah nour noor fatima aisha amina mariam maryam layla yasmin yasmina rania
    hanan samira zahra reza ali-reza hamid mehdi amir arash dariush parisa shirin farida
    piotr pawel paweł krzysztof tomasz marek agnieszka katarzyna magdalena joanna malgorzata ewa
    ivan igor sergej sergei dmitri dmitrij alexej olga irina natalia natalja tatjana svetlana swetlana oksana
    olena olha oleksandr andrij mykola yulia
    milan dragan goran zoran jovana ana marija ivana mirela arben besnik agron fatos
    kwame kofi ama abena chinedu ngozi oluwaseun amadou mamadou fatou aminata abdoulaye
    john james robert william david richard joseph charles thomas mary patricia jennifer linda elizabeth susan
    margaret dorothy emily olivia sophia chloe jack harry george oliver kevin brian steven edward
    anne annette doris ute gisela helga ilse ruth eva marion angelika carola
  `),
);

/** Function words and similar that never are a surname after "Frau"/"Herr" written in lower case. */
export const NOT_NAMES: ReadonlySet<string> = new Set(
  words(`
    und oder aber der die das den dem des ein eine einen einem einer mit von vom aus bei beim zu zum zur für an am in
    im auf über unter nach vor ist sind war hat haben wird kann soll muss möchte will wurde als wie wo wer was auch
    noch nur schon sehr so nicht kein keine mein meine ihr ihre sein seine unser unsere dieser diese dieses jene
    and or but the a an of from at in on to with is are was has have will can may who what which not no my your
    his her their our this that these
  `),
);
