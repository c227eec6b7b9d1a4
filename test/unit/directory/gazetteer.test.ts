import { readFileSync } from 'node:fs';
import { loadGazetteer, typoDistance, type Gazetteer, type PlaceHit } from '../../../services/directory/gazetteer';
import { parseCsvRecords } from '../../../services/directory/csv';
import { dataFile } from '../../../services/paths';
import type { AuthorityCode } from '../../../services/directory/model';

const BY_RB: Record<string, AuthorityCode> = {
  Düsseldorf: 'duesseldorf',
  Köln: 'koeln',
  Münster: 'muenster',
  Detmold: 'detmold',
  Arnsberg: 'arnsberg',
};

let g: Gazetteer;
beforeAll(() => {
  g = loadGazetteer();
});

const rows = parseCsvRecords(readFileSync(dataFile('nrw-municipalities.csv'), 'utf8'));
const gemeinden = rows.filter((r) => r.level === 'gemeinde');
const kreise = rows.filter((r) => r.level === 'kreis');

function best(hits: PlaceHit[]): { ags: string; authority: AuthorityCode } | undefined {
  for (const h of hits) {
    const t = h.targets[0];
    if (t.kind === 'municipality' || t.kind === 'ortsteil') return { ags: t.municipality.ags, authority: t.municipality.authority };
  }
  return undefined;
}

function translit(s: string): string {
  return s.replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue').replace(/Ä/g, 'Ae').replace(/Ö/g, 'Oe').replace(/Ü/g, 'Ue').replace(/ß/g, 'ss');
}

describe('the municipality list', () => {
  it('holds all 396 Gemeinden and 53 Kreise/kreisfreie Städte', () => {
    expect(g.gemeinden).toHaveLength(396);
    expect(g.kreise).toHaveLength(53);
    expect(gemeinden).toHaveLength(396);
    expect(kreise).toHaveLength(53);
  });

  it('counts the Gemeinden per Regierungsbezirk as the data README says', () => {
    const count = (a: AuthorityCode) => g.gemeinden.filter((m) => m.authority === a).length;
    expect({ d: count('duesseldorf'), k: count('koeln'), m: count('muenster'), dt: count('detmold'), a: count('arnsberg') }).toEqual({
      d: 66,
      k: 99,
      m: 78,
      dt: 70,
      a: 83,
    });
  });

  it('derives every row\'s authority from the third digit of its key, consistent with its Regierungsbezirk', () => {
    for (const r of rows) {
      const m = g.byAgs(r.ags)!;
      expect(m).toBeDefined();
      expect(m.authority).toBe(BY_RB[r.regierungsbezirk]);
    }
  });

  it('resolves the KI-Träger of every row to a Kreis, a kreisfreie Stadt or the city of Aachen', () => {
    const traeger = new Set(g.municipalities.map((m) => m.kiTraegerAgs));
    expect(traeger.size).toBe(54);
    for (const m of g.municipalities) expect(g.byAgs(m.kiTraegerAgs)).toBeDefined();
  });

  it('marks the 19 towns that share their name with their Kreis', () => {
    const towns = g.gemeinden.filter((m) => m.sharesNameWithKreis).map((m) => m.name).sort();
    expect(towns).toEqual(
      ['Borken', 'Coesfeld', 'Düren', 'Euskirchen', 'Gütersloh', 'Heinsberg', 'Herford', 'Höxter', 'Kleve', 'Mettmann', 'Olpe', 'Paderborn', 'Recklinghausen', 'Soest', 'Steinfurt', 'Unna', 'Viersen', 'Warendorf', 'Wesel'].sort(),
    );
  });
});

describe('finding places by name', () => {
  it.each(gemeinden.map((r) => [r.name, r.ags, BY_RB[r.regierungsbezirk]] as const))('finds %s (%s) in %s', (name, ags, authority) => {
    expect(best(g.findPlaces(`Wer ist für ${name} zuständig?`))).toEqual({ ags, authority });
  });

  it.each(gemeinden.map((r) => [r.name, BY_RB[r.regierungsbezirk]] as const))('finds %s written in lower case and without umlauts', (name, authority) => {
    expect(best(g.findPlaces(`ansprechperson integration für ${translit(name).toLowerCase()}`))?.authority).toBe(authority);
  });

  it.each(kreise.map((r) => [r.name, r.ags, BY_RB[r.regierungsbezirk]] as const))('finds the Kreis %s (%s) in %s', (name, ags, authority) => {
    const found = best(g.findPlaces(`Welche Bezirksregierung ist für ${name} zuständig?`));
    expect(found?.authority).toBe(authority);
    // A kreisfreie Stadt is found as its Gemeinde row, which shares the first five digits.
    expect(found?.ags.slice(0, 5)).toBe(ags);
  });

  it.each([
    ['Langenfeld', '05158020'],
    ['Halle', '05754012'],
    ['Stolberg', '05334032'],
    ['Gronau', '05554020'],
    ['Mülheim', '05117000'],
    ['Monheim', '05158026'],
    ['Emmerich', '05154008'],
    ['Haltern', '05562016'],
    ['Hennef', '05382020'],
    ['Werther', '05754052'],
    ['Menden', '05962040'],
    ['Sundern', '05958044'],
    ['Fröndenberg', '05978012'],
    ['Voerde', '05170044'],
    ['Wickede', '05974056'],
  ])('finds %s without its official suffix', (name, ags) => {
    expect(best(g.findPlaces(`Wer ist für ${name} zuständig?`))?.ags).toBe(ags);
  });

  it.each([
    ['Bad Honnef', '05382008'],
    ['Mülheim an der Ruhr', '05117000'],
    ['Porta Westfalica', '05770032'],
    ['Neunkirchen-Seelscheid', '05382040'],
    ['Neunkirchen', '05970036'],
    ['Neuenkirchen', '05566060'],
    ['Bergisch Gladbach', '05378004'],
    ['Kamp Lintfort', '05170020'],
    ['KampLintfort', '05170020'],
  ])('prefers the longest name: %s', (name, ags) => {
    const hits = g.findPlaces(`Wer ist für ${name} zuständig?`);
    expect(hits).toHaveLength(1);
    expect(best(hits)?.ags).toBe(ags);
  });

  it.each([
    ['Holzwickdee', '05978016'],
    ['Nordkircen', '05558028'],
    ['Dosrten', '05562012'],
    ['Eusskirchen', '05366016'],
    ['Gelsenkrichen', '05513000'],
    ['Paderbron', '05774032'],
    ['Reckinghausen', '05562032'],
    ['Scmallenberg', '05958040'],
    ['Neukirchen-Seelscheid', '05382040'],
    ['Bad Drieburg', '05762004'],
  ])('forgives the typo in %s', (name, ags) => {
    expect(best(g.findPlaces(`Ansprechperson Integration für ${name}?`))?.ags).toBe(ags);
  });

  it.each([
    ['Cologne', 'koeln'],
    ['Koeln', 'koeln'],
    ['Koln', 'koeln'],
    ['Muenster', 'muenster'],
    ['Munster', 'muenster'],
    ['Duesseldorf', 'duesseldorf'],
    ['Dusseldorf', 'duesseldorf'],
    ['Moenchengladbach', 'duesseldorf'],
    ['Mönchen-Gladbach', 'duesseldorf'],
    ['Aix-la-Chapelle', 'koeln'],
  ])('reads the spelling %s', (name, authority) => {
    expect(best(g.findPlaces(`integration commissioner for ${name}`))?.authority).toBe(authority);
  });

  it.each([
    ['Wattenscheid', '05911000'],
    ['Rheydt', '05116000'],
    ['Bad Godesberg', '05314000'],
    ['Porz', '05315000'],
    ['Wanne-Eickel', '05916000'],
    ['Sennestadt', '05711000'],
    ['Hiltrup', '05515000'],
    ['Neheim', '05958004'],
  ])('places the city district %s in its city', (name, ags) => {
    const hit = g.findPlaces(`Integrationsbeauftragte für ${name}`)[0];
    expect(hit.targets[0].kind).toBe('ortsteil');
    expect(best([hit])?.ags).toBe(ags);
  });

  it('tells the city of Aachen from the StädteRegion Aachen', () => {
    expect(best(g.findPlaces('Aachen'))?.ags).toBe('05334002');
    expect(best(g.findPlaces('StädteRegion Aachen'))?.ags).toBe('05334');
    expect(best(g.findPlaces('Städteregion Aachen'))?.ags).toBe('05334');
    expect(best(g.findPlaces('Kreis Aachen'))?.ags).toBe('05334');
    expect(g.byAgs('05334002')!.kiTraeger).toBe('Stadt Aachen');
    expect(g.byAgs('05334032')!.kiTraeger).toBe('StädteRegion Aachen');
  });

  it('reads "Kleve" as the town and "Kreis Kleve" as the Kreis, both in Düsseldorf', () => {
    const town = g.findPlaces('für Kleve')[0];
    expect(best([town])).toEqual({ ags: '05154036', authority: 'duesseldorf' });
    expect(town.targets.some((t) => t.kind === 'municipality' && t.municipality.ags === '05154')).toBe(true);
    expect(best(g.findPlaces('im Kreis Kleve'))).toEqual({ ags: '05154', authority: 'duesseldorf' });
  });

  it.each([
    ['den Märkischen Kreis', '05962'],
    ['des Hochsauerlandkreises', '05958'],
    ['im Rhein-Sieg-Kreis', '05382'],
    ['Rhein-Erft', '05362'],
    ['EN-Kreis', '05954'],
    ['HSK', '05958'],
    ['Oberberg', '05374'],
    ['Kreis Neuss', '05162'],
  ])('reads the Kreis form "%s"', (text, ags) => {
    expect(best(g.findPlaces(`für ${text}`))?.ags).toBe(ags);
  });

  it.each(['Osnabrück', 'Mainz', 'Lüneburg', 'Berlin', 'Hamburg', 'München', 'Halle (Saale)', 'Niedersachsen', 'Frankfurt am Main'])(
    'recognises %s as a place outside NRW',
    (name) => {
      const hits = g.findPlaces(`Integrationsbeauftragte für ${name}`);
      expect(hits).toHaveLength(1);
      expect(hits[0].targets[0].kind).toBe('outside');
    },
  );

  it('reads "Ruhrgebiet" as a region split over three authorities', () => {
    const t = g.findPlaces('im Ruhrgebiet')[0].targets[0];
    expect(t.kind === 'region' && t.authority).toBe(null);
  });
});

describe('not mistaking ordinary words for places', () => {
  it.each([
    'Wer ist zuständig?',
    'Hilfe',
    'Rat und Hilfe gesucht',
    'An wen kann ich mich wenden?',
    'Ich möchte eine Nachricht senden',
    'Wir gehen essen',
    'Das Essen in der Kantine',
    'Ich bin nicht in der Lage',
    'Wie wird das Wetter?',
    'Vielen Dank',
    'Herrn Hagen anrufen',
    'Frau Lotte Meier',
    'How much is it?',
    'Bitte um Rückmeldung zum Bescheid',
    'Wir wollen enger zusammenarbeiten',
    'die Leute kamen zu spät',
  ])('finds no place in "%s"', (text) => {
    expect(g.findPlaces(text).filter((h) => h.targets[0].kind === 'municipality')).toEqual([]);
  });

  it.each([
    ['Ansprechperson Integration für Essen?', '05113000'],
    ['Wer ist in Lage zuständig?', '05766040'],
    ['für Enger', '05758008'],
    ['Stadt Wetter', '05954032'],
    ['Gemeinde Wenden', '05966028'],
    ['für Senden', '05558044'],
    ['Essen?', '05113000'],
  ])('finds the place after a cue: "%s"', (text, ags) => {
    expect(best(g.findPlaces(text))?.ags).toBe(ags);
  });
});

describe('typo distance', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(typoDistance('dosrten', 'dorsten', 2)).toBe(1);
    expect(typoDistance('marl', 'marl', 1)).toBe(0);
    expect(typoDistance('abc', 'xyz', 1)).toBe(2);
  });
});

describe('the curated place names (data/places-extra.json)', () => {
  const extras = JSON.parse(readFileSync(dataFile('places-extra.json'), 'utf8')) as {
    aliases: Array<{ name: string; ags: string }>;
    ortsteile: Array<{ name: string; ags: string }>;
    outside: Array<{ name: string }>;
  };

  it('reads every alias as the municipality it names', () => {
    for (const a of extras.aliases) {
      const t = g.findPlaces(`für ${a.name}`)[0]?.targets[0];
      expect([a.name, t?.kind === 'municipality' ? t.municipality.ags : t?.kind]).toEqual([a.name, a.ags]);
    }
  });

  it('reads every city district as part of its city', () => {
    for (const o of extras.ortsteile) {
      const t = g.findPlaces(`für ${o.name}`)[0]?.targets[0];
      expect([o.name, t?.kind === 'ortsteil' ? t.municipality.ags : t?.kind]).toEqual([o.name, o.ags]);
    }
  });

  it('never lets a name outside NRW shadow an NRW place', () => {
    for (const o of extras.outside) {
      const kinds = g.findPlaces(o.name).flatMap((h) => h.targets.map((t) => t.kind));
      expect([o.name, kinds.filter((k) => k !== 'outside')]).toEqual([o.name, []]);
    }
  });
});
