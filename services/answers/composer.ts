import {
  AUTHORITY_NAMES,
  berlinDate,
  currentAbsence,
  type Authority,
  type AuthorityCode,
  type Directory,
  type Office,
  type Person,
} from '../directory/model';
import type { Answer, ContactResolution, PlaceDetail } from './answer';
import type { Decision } from './classifier';
import type { Intent } from './intents';
import type { CompiledKnowledge, KnowledgeEntry, Localized } from './knowledge';
import type { Language } from './language';
import type { PersonalDataKind } from './privacy';
import { placeDetailOf, type Understood } from './reader';

const RDERL = 'RdErl. v. 5.12.2023';

/**
 * How an answer is worded: `standard`, or `plain` (issue 18): Leichte Sprache in German, plain English. A plain answer
 * is composed from the `plain` variants of the knowledge file's texts, one fact per line, and ends with a closing line.
 */
export type AnswerStyle = 'standard' | 'plain';

// Leichte Sprache splits long compounds with a middle dot; these are the ones the answers use (names from the directory too).
const PLAIN_WORD_BREAKS: ReadonlyArray<[RegExp, string]> = [
  [/\bBezirksregierung/g, 'Bezirks·regierung'],
  [/\bIntegrationsbeauftragt/g, 'Integrations·beauftragt'],
  [/\bKompetenzzentrum/g, 'Kompetenz·zentrum'],
  [/\bIntegrationszentr/g, 'Integrations·zentr'],
  [/\bKoordinierungskreis/g, 'Koordinierungs·kreis'],
  [/\bBehördenleitung/g, 'Behörden·leitung'],
  [/\bRegierungspräsident/g, 'Regierungs·präsident'],
];
// Abbreviations the directory's names carry in brackets ("Kompetenzzentrum für Integration (KfI)"): a plain text names the thing in full.
const BRACKETED_ABBREVIATION = /\s*\((?:KfI|IB|KI|BR|KIM)\)/g;

/**
 * Writes the answer for a decided intent: short plain text from the knowledge base's templates, the
 * people from the directory (never invented), the citation, and the structured data for the cards.
 */
export class AnswerComposer {
  private readonly authorities = new Map<AuthorityCode, Authority>();
  private readonly texts: Record<string, Localized>;
  private readonly fundingConcept: number;
  private readonly templates = new Map<string, string[]>();
  private readonly isPlain: boolean;

  constructor(
    private readonly kb: CompiledKnowledge,
    private readonly directory: Directory,
    readonly style: AnswerStyle = 'standard',
  ) {
    for (const a of directory.authorities) this.authorities.set(a.code, a);
    this.isPlain = style === 'plain';
    const texts = kb.knowledge.texts;
    this.texts = this.isPlain ? Object.fromEntries(Object.entries(texts).map(([key, t]) => [key, t.plain ?? t])) : texts;
    this.fundingConcept = kb.concept('funding');
  }

  /** Parts of an answer: sentences in one paragraph, or one fact per line in plain language. */
  private join(parts: string[]): string {
    return parts.join(this.isPlain ? '\n' : ' ');
  }

  /** The answer to a classified question. */
  compose(decision: Decision, u: Understood, home: AuthorityCode | null, now: Date): Answer {
    const { intent, entry } = decision;
    const lang = u.lang;
    const placeAuthority = u.place ? u.place.target.municipality.authority : (u.region?.authority ?? null);
    const named = u.mention && !u.mention.self ? u.mention.code : null;
    const self = u.mention?.self ? u.mention.code : null;
    const detail = placeDetailOf(u);
    const placeRef = detail ? { ags: detail.ags, name: detail.name } : null;

    switch (intent) {
      case 'contact.commissioner':
      case 'contact.deputy':
      case 'request.create': {
        // A region split between authorities ("Ruhrgebiet") is answered with the split, not the home authority.
        const splitRegion = !u.place && !named && u.region !== null && u.region.authority === null;
        const authority = splitRegion ? null : (placeAuthority ?? named ?? self ?? home);
        const via = placeAuthority ? 'place' : named ? 'named' : 'home';
        return this.contactAnswer(intent, u, authority, via, detail, now, home !== null && authority === home && via === 'home');
      }
      case 'report.create': {
        const authority = named ?? self ?? home ?? placeAuthority;
        return this.reportAnswer(u, authority, detail, now);
      }
      case 'contact.kfi':
        return this.kfiAnswer(u, 'contact.kfi', detail);
      case 'circle.next_meeting':
        return this.kfiAnswer(u, 'circle.next_meeting', detail);
      case 'contact.ki':
        return this.kiAnswer(u, detail, named ?? self);
      case 'help': {
        const text = entry === 'thanks' ? this.t('thanks', lang) : this.entryText('help', lang);
        return this.plain('help', lang, text, null, entry);
      }
      case 'out_of_scope':
        return this.outOfScope(u, entry);
      default: {
        // Informational intents: the fixed text with its citation, naming an authority only if the question did.
        const e = this.kb.entry(entry) ?? this.kb.entry(intent);
        const authority = placeAuthority ?? named;
        return {
          ...this.plain(intent, lang, (e && this.answerText(e, lang)) || this.entryText('oos.generic', lang), e?.citation ?? null, e?.id ?? intent),
          authority,
          place: placeRef,
          placeDetail: detail,
        };
      }
    }
  }

  private contactAnswer(
    intent: 'contact.commissioner' | 'contact.deputy' | 'request.create',
    u: Understood,
    authority: AuthorityCode | null,
    via: 'place' | 'named' | 'home',
    detail: PlaceDetail | null,
    now: Date,
    fromHome: boolean,
  ): Answer {
    const lang = u.lang;
    const placeRef = detail ? { ags: detail.ags, name: detail.name } : null;
    const citation = intent === 'contact.deputy' ? `${RDERL}, Nr. 3` : via === 'place' ? `${RDERL}, Nr. 5 d` : `${RDERL}, Nr. 5 b`;
    if (!authority) {
      if (u.region && u.region.note) {
        const text = this.fill('region.ambiguous', lang, { note: u.region.note[lang] });
        return { ...this.plain(intent, lang, text, citation, 'region.ambiguous'), place: null };
      }
      const key = intent === 'contact.deputy' ? 'askHome.deputy' : intent === 'request.create' ? 'request.askHome' : 'askHome';
      return { ...this.plain(intent, lang, this.t(key, lang), citation, key), needsHomeAuthority: true };
    }
    const a = this.authorities.get(authority);
    const contact = a ? this.resolveContact(a, now) : null;
    const parts: string[] = [];
    const where = this.whereSentence(u, authority, detail, via, fromHome);
    if (where) parts.push(where);
    let source: string = intent;
    if (!a || !contact) {
      parts.push(this.fill('commissioner.vacant', lang, { authorityName: AUTHORITY_NAMES[authority], office: AUTHORITY_NAMES[authority] }));
      source = 'commissioner.vacant';
    } else if (intent === 'contact.deputy') {
      if (contact.deputy) {
        parts.push(this.fill('deputy', lang, { title: contact.deputy.title, authorityName: a.name, person: this.personLine(contact.deputy, lang) }));
        if (contact.absence && contact.commissioner) {
          parts.push(this.fill('deputy.ibAbsent', lang, { name: contact.commissioner.name, until: this.date(contact.absence.to, lang) }));
        }
      } else if (contact.commissioner) {
        parts.push(this.fill('deputy.none', lang, { title: contact.commissioner.title, authorityName: a.name, person: this.personLine(contact.commissioner, lang) }));
      } else {
        parts.push(this.fill('commissioner.vacant', lang, { authorityName: a.name, office: this.officeLine(a.headOffice) }));
      }
    } else if (intent === 'request.create') {
      if (contact.primary === 'deputy' && contact.deputy && contact.commissioner && contact.absence) {
        parts.push(
          this.fill('request.deputy', lang, {
            name: contact.commissioner.name,
            until: this.date(contact.absence.to, lang),
            person: contact.deputy.name,
            authorityName: a.name,
          }),
        );
      } else if (contact.commissioner) {
        parts.push(this.fill('request', lang, { person: contact.commissioner.name, authorityName: a.name }));
      } else {
        parts.push(this.fill('commissioner.vacant', lang, { authorityName: a.name, office: this.officeLine(a.headOffice) }));
      }
      // The request text itself follows in the bot's dialog; here only the routing.
      parts.splice(0, parts.length - 1);
    } else {
      parts.push(...this.commissionerSentences(a, contact, lang));
    }
    // Nr. 5 d: municipal integration commissioners asking about their Bezirksregierung.
    if (intent === 'contact.commissioner' && via === 'place' && u.ts.keys.some((k) => k.startsWith('komunal'))) {
      parts.push(this.t('municipal', lang));
    }
    return {
      ...this.plain(intent, lang, this.join(parts), citation, source),
      authority,
      place: placeRef,
      placeDetail: detail,
      contact,
    };
  }

  private commissionerSentences(a: Authority, contact: ContactResolution, lang: Language): string[] {
    const out: string[] = [];
    const ib = contact.commissioner;
    if (!ib) {
      out.push(this.fill('commissioner.vacant', lang, { authorityName: a.name, office: this.officeLine(a.headOffice) }));
      if (contact.deputy) out.push(this.fill('deputy', lang, { title: contact.deputy.title, authorityName: a.name, person: this.personLine(contact.deputy, lang) }));
      return out;
    }
    out.push(this.fill('commissioner', lang, { title: ib.title, authorityName: a.name, person: this.personLine(ib, lang) }));
    if (contact.absence) {
      const until = this.date(contact.absence.to, lang);
      out.push(
        contact.deputy
          ? this.fill('commissioner.absent', lang, { name: ib.name, until, person: this.personLine(contact.deputy, lang) })
          : this.fill('commissioner.absentNoDeputy', lang, { name: ib.name, until, office: this.officeLine(a.headOffice) }),
      );
    } else if (ib.officeHours) {
      out.push(this.fill('officeHours', lang, { officeHours: ib.officeHours }));
    }
    return out;
  }

  private whereSentence(u: Understood, authority: AuthorityCode, detail: PlaceDetail | null, via: string, fromHome: boolean): string | null {
    const lang = u.lang;
    const authorityName = this.authorities.get(authority)?.name ?? AUTHORITY_NAMES[authority];
    if (via === 'place' && detail) {
      if (detail.ortsteil) return this.fill('where.ortsteil', lang, { ortsteil: detail.ortsteil, place: detail.name, authorityName });
      if (detail.level === 'kreis') return this.fill('where.kreis', lang, { place: detail.name, placeAccusative: accusative(detail.name), authorityName });
      if (detail.type === 'kreisfreie_stadt') return this.fill('where.kreisfrei', lang, { place: detail.name, authorityName });
      return this.fill('where.gemeinde', lang, { place: detail.name, kreis: detail.kreis, authorityName });
    }
    if (via === 'place' && u.region) return this.fill('where.region', lang, { place: u.region.name, authorityName });
    if (fromHome) return this.fill('where.home', lang, { authorityName });
    return null;
  }

  private reportAnswer(u: Understood, authority: AuthorityCode | null, detail: PlaceDetail | null, now: Date): Answer {
    const lang = u.lang;
    const citation = `${RDERL}, Nr. 4`;
    if (!authority) {
      return { ...this.plain('report.create', lang, this.t('report.askHome', lang), citation, 'report.askHome'), needsHomeAuthority: true };
    }
    const a = this.authorities.get(authority);
    const office = a ? a.headOffice.name : lang === 'de' ? 'Büro der Behördenleitung' : "head's office";
    const text = this.fill('report', lang, { office, authorityName: a?.name ?? AUTHORITY_NAMES[authority] });
    return {
      ...this.plain('report.create', lang, text, citation, 'report'),
      authority,
      place: detail ? { ags: detail.ags, name: detail.name } : null,
      placeDetail: detail,
      contact: a ? this.resolveContact(a, now) : null,
    };
  }

  private kfiAnswer(u: Understood, intent: 'contact.kfi' | 'circle.next_meeting', detail: PlaceDetail | null): Answer {
    const lang = u.lang;
    const kfi = this.directory.kfi;
    const phonePart = !kfi.phone ? '' : this.isPlain ? `\n${this.t('label.phone', lang)}: ${kfi.phone}` : lang === 'de' ? `, Telefon ${kfi.phone}` : `, phone ${kfi.phone}`;
    let text: string;
    if (intent === 'circle.next_meeting') {
      text = this.fill('circle.next', lang, { kfiName: kfi.name, email: kfi.email });
    } else {
      const parts = [this.fill('kfi', lang, { kfiName: kfi.name, orgUnit: kfi.orgUnit, email: kfi.email, phonePart })];
      if (u.match.has(this.fundingConcept)) parts.push(this.t('kfi.funding', lang));
      if (kfi.contacts.length > 0) {
        parts.push(this.fill('kfi.contacts', lang, { people: kfi.contacts.map((p) => `${p.name} (${p.title})`).join(this.isPlain ? '\n' : ', ') }));
      }
      text = this.join(parts);
    }
    return {
      ...this.plain(intent, lang, text, `${RDERL}, Nr. 6`, intent),
      authority: kfi.authority,
      place: detail ? { ags: detail.ags, name: detail.name } : null,
      placeDetail: detail,
      kfi,
    };
  }

  private kiAnswer(u: Understood, detail: PlaceDetail | null, namedAuthority: AuthorityCode | null): Answer {
    const lang = u.lang;
    const citation = '§ 8 TIntG';
    if (!detail) {
      return { ...this.plain('contact.ki', lang, this.t('ki.askPlace', lang), citation, 'ki.askPlace'), authority: namedAuthority };
    }
    const authorityName = AUTHORITY_NAMES[detail.authority];
    const traeger = detail.kiTraeger;
    const vars = {
      place: detail.ortsteil ? `${detail.ortsteil} (${detail.name})` : detail.name,
      placeAccusative: accusative(detail.name),
      traeger,
      traegerDative: dativeOf(traeger),
      authorityName,
    };
    const parts = [this.fill(detail.level === 'kreis' ? 'ki.kreis' : 'ki', lang, vars)];
    const cityOrKreis = detail.alsoKreis !== null;
    if (cityOrKreis) parts.push(this.fill('ki.cityOrKreis', lang, { town: detail.name }));
    if (detail.ags === '05334002' || detail.ags === '05334') parts.push(this.t('ki.aachen', lang));
    return {
      ...this.plain('contact.ki', lang, this.join(parts), citation, 'ki'),
      authority: detail.authority,
      place: { ags: detail.ags, name: detail.name },
      placeDetail: detail,
      ki: { traeger, traegerAgs: detail.kiTraegerAgs, cityOrKreis },
    };
  }

  private outOfScope(u: Understood, entry: string): Answer {
    const lang = u.lang;
    if (entry === 'outside' && u.outside) {
      const text = this.fill('outside', lang, { place: u.outside.name, land: u.outside.land });
      return { ...this.plain('out_of_scope', lang, text, null, 'outside'), outside: { name: u.outside.name, land: u.outside.land } };
    }
    if (entry === 'unknownPlace' && u.unknownPlace) {
      return this.plain('out_of_scope', lang, this.fill('unknownPlace', lang, { place: u.unknownPlace }), null, 'unknownPlace');
    }
    if (entry === 'head') {
      const code = u.mention?.code ?? u.place?.target.municipality.authority ?? null;
      const a = code ? this.authorities.get(code) : undefined;
      if (a) {
        const text = this.fill('head', lang, { authorityName: a.name, name: a.head.name, office: a.headOffice.name, email: a.headOffice.email });
        return this.plain('out_of_scope', lang, text, null, 'head');
      }
      return this.plain('out_of_scope', lang, this.entryText('oos.other_role', lang), null, 'oos.other_role');
    }
    return this.plain('out_of_scope', lang, this.entryText(entry, lang), null, entry);
  }

  privacy(u: Understood, kinds: PersonalDataKind[], now: Date): Answer {
    const lang = u.lang;
    const kindText = kinds.map((k) => this.t(`privacy.kind.${k}`, lang)).join(', ');
    const parts = [this.fill('privacy', lang, { kinds: kindText })];
    const detail = placeDetailOf(u);
    const authority = detail?.authority ?? (u.mention && !u.mention.self ? u.mention.code : null);
    let contact: ContactResolution | null = null;
    if (authority) {
      const a = this.authorities.get(authority);
      contact = a ? this.resolveContact(a, now) : null;
      const name = contact?.commissioner?.name ?? (lang === 'de' ? 'nicht eingetragen' : 'not listed');
      const title = contact?.commissioner?.title ?? 'Integrationsbeauftragte';
      parts.push(this.fill('privacy.place', lang, { place: detail?.name ?? AUTHORITY_NAMES[authority], authorityName: AUTHORITY_NAMES[authority], name, title }));
    }
    return {
      ...this.plain('privacy.warning', lang, this.join(parts), 'Art. 9 DSGVO; DSG NRW', 'privacy'),
      authority,
      place: detail ? { ags: detail.ags, name: detail.name } : null,
      placeDetail: detail,
      contact,
      personalData: kinds,
    };
  }

  // ---------------------------------------------------------------- helpers

  private resolveContact(a: Authority, now: Date): ContactResolution {
    const absence = a.commissioner ? (currentAbsence(a.commissioner, berlinDate(now)) ?? null) : null;
    const primary = a.commissioner && !absence ? 'commissioner' : a.deputy ? 'deputy' : a.commissioner ? 'commissioner' : 'headOffice';
    return {
      authority: { code: a.code, name: a.name, address: a.address, ...(a.website ? { website: a.website } : {}) },
      commissioner: a.commissioner,
      deputy: a.deputy,
      absence,
      primary,
      headOffice: a.headOffice,
      head: a.head,
    };
  }

  private personLine(p: Person, lang: Language): string {
    if (this.isPlain) {
      // One fact per line: the name, then each way to reach the person with its label.
      const lines = [p.name];
      if (p.orgUnit) lines.push(`${lang === 'de' ? 'Abteilung' : 'Unit'}: ${p.orgUnit}`);
      if (p.phone) lines.push(`${this.t('label.phone', lang)}: ${p.phone}`);
      if (p.email) lines.push(`${this.t('label.email', lang)}: ${p.email}`);
      return lines.join('\n');
    }
    const parts = [p.orgUnit ? `${p.name} (${p.orgUnit})` : p.name];
    if (p.phone) parts.push(`${this.t('label.phone', lang)} ${p.phone}`);
    if (p.email) parts.push(`${this.t('label.email', lang)} ${p.email}`);
    return parts.join(', ');
  }

  /** A directory date as people read it; in Leichte Sprache with the month's name ("14. März 2025"). */
  private date(iso: string, lang: Language): string {
    return this.isPlain && lang === 'de' ? formatDateLong(iso) : formatDate(iso, lang);
  }

  private officeLine(o: Office): string {
    return o.email ? `${o.name} (${o.email})` : o.name;
  }

  /** An answer with text only (no contact, place or authority). */
  plain(intent: Intent, lang: Language, text: string, citation: string | null, source: string): Answer {
    return {
      intent,
      authority: null,
      place: null,
      citation,
      text,
      language: lang,
      needsHomeAuthority: false,
      placeDetail: null,
      contact: null,
      kfi: null,
      ki: null,
      outside: null,
      personalData: [],
      source,
    };
  }

  /** The fixed answer of a knowledge entry in one language. */
  entryText(id: string, lang: Language): string {
    const e = this.kb.entry(id);
    return e ? this.answerText(e, lang) : '';
  }

  /** An entry's answer in this composer's style; an entry without a plain variant (a taught one) answers as written. */
  private answerText(e: KnowledgeEntry, lang: Language): string {
    return (this.isPlain ? e.answer?.plain?.[lang] : undefined) ?? e.answer?.[lang] ?? '';
  }

  /**
   * The last step of a plain answer: the closing line, long German compounds split with a middle dot
   * ("Bezirks·regierung"), bracketed abbreviations from the directory left out, and the answer marked as plain.
   * Standard answers pass unchanged.
   */
  finish(answer: Answer): Answer {
    if (!this.isPlain) return answer;
    let text = `${answer.text.replace(BRACKETED_ABBREVIATION, '')}\n${this.t('closing', answer.language)}`;
    if (answer.language === 'de') for (const [word, split] of PLAIN_WORD_BREAKS) text = text.replace(word, split);
    return { ...answer, text, plain: true };
  }

  /** A text of the knowledge base in one language. */
  t(key: string, lang: Language): string {
    return this.texts[key]?.[lang] ?? '';
  }

  /** A text with its `{placeholders}` filled; templates are split once and then reused. */
  private fill(key: string, lang: Language, vars: Record<string, string>): string {
    const id = `${lang}:${key}`;
    let parts = this.templates.get(id);
    if (!parts) {
      // split() with a capture group alternates literal text and placeholder names.
      parts = this.t(key, lang).split(/\{([a-zA-Z]+)\}/);
      this.templates.set(id, parts);
    }
    let out = parts[0];
    for (let i = 1; i < parts.length; i += 2) out += (vars[parts[i]] ?? '') + parts[i + 1];
    return out;
  }
}

/** "Kreis Recklinghausen" → "den Kreis Recklinghausen", "StädteRegion Aachen" → "die StädteRegion Aachen". */
function accusative(name: string): string {
  if (name.startsWith('StädteRegion')) return `die ${name}`;
  if (name.startsWith('Stadt ')) return `die ${name}`;
  if (/Kreis/.test(name)) return `den ${name.replace(/er Kreis$/, 'en Kreis')}`;
  return name;
}

/** "Kreis Recklinghausen" → "im Kreis Recklinghausen", "Märkischer Kreis" → "im Märkischen Kreis", "Stadt Bochum" → "der Stadt Bochum". */
function dativeOf(traeger: string): string {
  if (traeger.startsWith('Stadt ')) return `der ${traeger}`;
  if (traeger.startsWith('StädteRegion')) return `der ${traeger}`;
  return `im ${traeger.replace(/er Kreis$/, 'en Kreis')}`;
}

/** ISO date as "14. März 2025". */
function formatDateLong(iso: string): string {
  const [y, m, d] = iso.split('-');
  const months = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];
  return `${Number(d)}. ${months[Number(m) - 1] ?? m} ${y}`;
}

/**
 * A citation as a plain text names it: "RdErl. v. 5.12.2023, Nr. 5 d" → "Runderlass vom 5. Dezember 2023, Nummer 5 d",
 * "§ 8 TIntG" → "Paragraf 8 im Teilhabe- und Integrations·gesetz". For the source line under a plain answer; the
 * answer's `citation` field stays as it is (contracts.md §2).
 */
export function plainCitation(citation: string, lang: Language): string {
  const de = lang === 'de';
  return citation
    .replace(/Art\. 9 DSGVO; DSG NRW/g, de ? 'Artikel 9 der Datenschutz-Grundverordnung und das Datenschutz·gesetz Nordrhein-Westfalen' : 'Article 9 of the General Data Protection Regulation and the data protection law of North Rhine-Westphalia')
    .replace(/RdErl\. v\. 5\.12\.2023/g, de ? 'Runderlass vom 5. Dezember 2023' : 'Decree of 5 December 2023')
    .replace(/\bNr\. /g, de ? 'Nummer ' : 'number ')
    .replace(/§ (\d+) Abs\. (\d+) TIntG/g, de ? 'Paragraf $1, Absatz $2 im Teilhabe- und Integrations·gesetz' : 'Section $1, paragraph $2 of the Participation and Integration Act')
    .replace(/§ (\d+) TIntG/g, de ? 'Paragraf $1 im Teilhabe- und Integrations·gesetz' : 'Section $1 of the Participation and Integration Act')
    .replace(/; /g, de ? ' und ' : ' and ');
}

/** ISO date as "14.03.2025" (German) or "14 March 2025" (English). */
function formatDate(iso: string, lang: Language): string {
  const [y, m, d] = iso.split('-');
  if (lang === 'de') return `${d}.${m}.${y}`;
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  return `${Number(d)} ${months[Number(m) - 1] ?? m} ${y}`;
}
