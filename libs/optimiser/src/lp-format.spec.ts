import { LpModelBuilder } from './lp-model';
import { toLpFormat } from './lp-format';

describe('toLpFormat', () => {
  it('writes costs, equality, one-sided and ranged rows, and bounds (infinite ones included)', () => {
    const b = new LpModelBuilder();
    const x = b.addVariable('x', 0, 10, 2);
    const y = b.addVariable('y', -Infinity, Infinity, -1);
    b.addConstraint(
      'eq',
      [
        [x, 1],
        [y, 1],
        [x, 1],
      ],
      3,
      3,
    );
    b.addConstraint('le', [[y, -1]], -Infinity, 4);
    b.addConstraint('range', [[x, 1]], 1, 5);
    expect(toLpFormat(b.build())).toBe(
      [
        'Minimize',
        ' obj:',
        '  + 2 x0',
        '  - 1 x1',
        'Subject To',
        ' c0:',
        '  + 2 x0',
        '  + 1 x1',
        '  = 3',
        ' c1:',
        '  - 1 x1',
        '  <= 4',
        ' c2_lo:',
        '  + 1 x0',
        '  >= 1',
        ' c2_hi:',
        '  + 1 x0',
        '  <= 5',
        'Bounds',
        ' 0 <= x0 <= 10',
        ' -inf <= x1 <= +inf',
        'End',
        '',
      ].join('\n'),
    );
  });
});
