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
