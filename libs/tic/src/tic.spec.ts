import { parseTicFrame, parseTicGroup, ticChecksum, TicFramer, ticGroup, ticReading } from './tic';

const STX = '\x02';
const ETX = '\x03';

/**
 * Frames as Enedis specifies them (Enedis-NOI-CPT_54E, §5.3 historic and §6.2 standard): the groups and their order are
 * the specification's; the values are a home's. Checksums are computed by the specification's rule, and one is the
 * specification's own worked value ("IINST 002 Y").
 */
const historic = [
  ['ADCO', '031762120162'],
  ['OPTARIF', 'HC..'],
  ['ISOUSC', '45'],
  ['HCHC', '001234567'],
  ['HCHP', '000765432'],
  ['PTEC', 'HP..'],
  ['IINST', '002'],
  ['IMAX', '090'],
  ['PAPP', '00450'],
  ['HHPHC', 'A'],
  ['MOTDETAT', '000000'],
] as const;
const historicFrame = STX + historic.map(([l, d]) => ticGroup('historic', l, d)).join('') + ETX;

const standard: Array<[string, string, string?]> = [
  ['ADSC', '041876097467'],
  ['VTIC', '02'],
  ['DATE', '', 'H240115143000'],
  ['NGTF', '      TEMPO     '],
  ['LTARF', '    HP  BLEU    '],
  ['EAST', '008745321'],
  ['EASF01', '004512345'],
  ['EAIT', '000120034'],
  ['IRMS1', '012'],
  ['URMS1', '231'],
  ['PREF', '09'],
  ['SINSTS', '02750'],
  ['SINSTI', '00000'],
  ['SMAXSN', '05120', 'H240115081500'],
  ['NTARF', '02'],
];
const standardFrame = STX + standard.map(([l, d, h]) => ticGroup('standard', l, d, h)).join('') + ETX;

describe('Linky TIC', () => {
  it("computes the specification's checksum: IINST 002 -> Y", () => {
    expect(ticChecksum('IINST 002')).toBe('Y');
    expect(parseTicGroup('IINST 002 Y', 'historic')).toEqual({ label: 'IINST', data: '002' });
  });

  it('reads a historic frame (1200 baud): apparent power, the indexes summed, the tariff period', () => {
    const frame = parseTicFrame(historicFrame);
    if (!frame.ok) throw new Error(frame.problem);
    expect(frame.mode).toBe('historic');
    expect(frame.groups).toHaveLength(historic.length);
    expect(ticReading(frame)).toEqual({ powerW: 450, energyWh: 1_234_567 + 765_432, tariffPeriod: 'HP..' });
  });

  it('reads a standard frame (9600 baud): SINSTS net of SINSTI, EAST, LTARF, groups with their horodate', () => {
    const frame = parseTicFrame(standardFrame);
    if (!frame.ok) throw new Error(frame.problem);
    expect(frame.mode).toBe('standard');
    expect(frame.groups.find((g) => g.label === 'SMAXSN')).toEqual({
      label: 'SMAXSN',
      horodate: 'H240115081500',
      data: '05120',
    });
    expect(ticReading(frame)).toEqual({ powerW: 2750, energyWh: 8_745_321, tariffPeriod: 'HP  BLEU' });
  });

  it.each([
    ['a wrong checksum', historicFrame.replace('PAPP 00450', 'PAPP 00451'), /^group PAPP: checksum /],
    [
      'a group cut short',
      standardFrame.replace(/\nEAST[^\r]*\r/, '\nEAST\t0087'),
      /a group without its CR|group "EAST\t0087/,
    ],
    ['no STX', historicFrame.slice(1), /^not a frame/],
  ])('refuses a frame with %s whole, never half', (_name, text, problem) => {
    const frame = parseTicFrame(text);
    expect(frame.ok).toBe(false);
    if (!frame.ok) expect(frame.problem).toMatch(problem);
  });

  it('cuts a stream into frames across chunks, keeping the unfinished one for the next', () => {
    const framer = new TicFramer();
    const stream = historicFrame + standardFrame + historicFrame.slice(0, 40);
    const frames = [...framer.push(stream.slice(0, 100)), ...framer.push(stream.slice(100))];
    expect(frames.map((f) => parseTicFrame(f).ok)).toEqual([true, true]);
    expect(framer.push(historicFrame.slice(40))).toHaveLength(1);
  });
});
