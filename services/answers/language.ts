import { skeleton } from '../text/normalize';

/** Languages the bot answers in. */
export type Language = 'de' | 'en';

const build = (words: string): ReadonlySet<string> => new Set(words.split(/\s+/).filter(Boolean).map(skeleton));

// Function words and frequent question words; domain terms that are the same in both languages are left out.
const ENGLISH = build(`
the a an is are be who whom whose what which where when why how does do did can could would should
of for to at in on with from about by my our your their his her its this that these those there i we you me us
responsible commissioner officer deputy district government next meeting please help need want tell show find get
law legal basis tasks duties requirements appointed appointment right report head authority office contact reach
much many any some have has had not no yes and or but if than then into over under only just
coordination circle municipal centre center integration's stands away leave
`);
const GERMAN = build(`
der die das den dem des ein eine einen einem einer ist sind war wer wen wem was welche welcher welches wie wo wann warum
für und oder aber ich mein meine unsere unser bei mit von zu zum zur nicht kein keine es gibt sich sie kann können muss
darf zuständig zuständige bitte hilfe möchte möchten gilt seit hat haben wird werden man auf an im aus nach auch noch
integrationsbeauftragte integrationsbeauftragten bezirksregierung vertritt vertretung aufgaben welches kommunale
treffen nächste nächstes arbeite arbeiten stadt gemeinde kreis unseren meinen
`);

/**
 * Detects whether a question is English or German by counting function words of each language.
 * Ties go to the locale hint (`en-…` → English), otherwise German, the product's first language.
 */
export function detectLanguage(keys: readonly string[], localeHint?: string): Language {
  let en = 0;
  let de = 0;
  for (const k of keys) {
    if (ENGLISH.has(k)) en++;
    if (GERMAN.has(k)) de++;
  }
  if (en > de) return 'en';
  if (de > en) return 'de';
  return localeHint && /^en\b/i.test(localeHint) ? 'en' : 'de';
}

/** Languages staff write short questions in that the bot understands but does not answer in. */
export type ForeignLanguage = 'tr' | 'pl' | 'ru' | 'uk' | 'ar';

// Distinctive function and question words of Turkish and Polish (skeleton keys), none shorter than three
// letters. It takes two of them to make a question foreign, so one stray word ("KIM", the Kommunales
// Integrationsmanagement, is Turkish "kim") never does.
const TURKISH = build(`
için icin kimdir nedir nerede nasıl hangi hangisi merhaba lütfen teşekkürler çalışıyorum çalışıyor görevlisi
görevli sorumlusu sorumlu entegrasyon entegrasyondan belediye belediyesi benim bizim kim
`);
const POLISH = build(`
kto jest jestem pracuję pracuje dla gdzie jak czy proszę dzień dobry dziękuję urzędzie urząd urzędu
odpowiedzialny odpowiedzialna odpowiada pełnomocnik pełnomocnikiem pełnomocniczka integracji integracja
mój moja nasz nasza który która
`);
// Ukrainian has letters Russian lacks.
const UKRAINIAN_LETTERS = /[іїєґІЇЄҐ]/;

/**
 * The language of a question written in neither German nor English, or null. Words in Cyrillic or Arabic
 * script decide when they outnumber the German or English words; Turkish and Polish need two of their own
 * words and more of them than German or English words ("Pracuję w Bünde – kto jest IB?", "Rheine için IB kim?").
 * Place names and terms stay German inside such questions, so a German word or two does not make them German.
 */
export function detectForeign(source: string, keys: readonly string[]): ForeignLanguage | null {
  let tr = 0;
  let pl = 0;
  let de = 0;
  let en = 0;
  let cyrillic = 0;
  let arabic = 0;
  for (const k of keys) {
    if (TURKISH.has(k)) tr++;
    if (POLISH.has(k)) pl++;
    if (GERMAN.has(k)) de++;
    if (ENGLISH.has(k)) en++;
    const c = k.charCodeAt(0);
    if (c >= 0x400 && c <= 0x4ff) cyrillic++;
    else if (c >= 0x600 && c <= 0x6ff) arabic++;
  }
  const other = Math.max(de, en);
  // Words in the other script must outnumber the German or English ones: a German question may quote "Україна".
  if (arabic > other && arabic >= cyrillic) return 'ar';
  if (cyrillic > other) return UKRAINIAN_LETTERS.test(source) ? 'uk' : 'ru';
  if (tr >= 2 && tr > other && tr >= pl) return 'tr';
  if (pl >= 2 && pl > other) return 'pl';
  return null;
}

/** The language to answer a foreign-language question in: the user's Teams language (English for `en-…`, else German). */
export function replyLanguage(localeHint: string | undefined): Language {
  return localeHint && /^en\b/i.test(localeHint) ? 'en' : 'de';
}
