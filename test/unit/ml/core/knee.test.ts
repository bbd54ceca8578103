import { describe, expect, it } from 'vitest';
import { elbowK, findKnee } from '../../../../src/main/ml/knee';

const ks = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe('findKnee (kneed KneeLocator port)', () => {
  it('finds k=4 on the kneed documentation curve', () => {
    // Hand derivation: y_norm flipped = [0,.4523,.6717,.8402,.8923,...]; x_norm = i/9;
    // difference = [0,.3412,.4495,.5069,.4479,.3741,...]; only local max at index 3 (0.5069);
    // threshold = 0.5069 - 1/9 = 0.3958; difference[5] = 0.3741 < 0.3958 while walking from index 4,
    // so the knee is x[3] = 4.
    // Kept as the documentation's text; some literals have more digits than a double holds.
    const y = [
      '7342.1301373073857',
      '4423.6788470451498',
      '3007.5012718301936',
      '1920.2917040153418',
      '1584.2052547007896',
      '1343.0185880216455',
      '1183.8669215937634',
      '1066.6143093937337',
      '972.8069633879998',
      '889.25009315022',
    ].map(Number);
    const r = findKnee(ks, y, { curve: 'convex', direction: 'decreasing' });
    expect(r.knee).toBe(4);
    expect(r.index).toBe(3);
    expect(r.difference[3]).toBeCloseTo(0.5069, 4);
    expect(elbowK(ks, y)).toBe(4);
  });

  it('finds k=3 on y = 1/x', () => {
    // difference = [0,.3333,.4074,.3889,.3333,.2593,...]: max at index 2, threshold .2963,
    // first successor below it is index 5 (reached from index 4) -> knee x[2] = 3.
    expect(
      elbowK(
        ks,
        ks.map((x) => 1 / x),
      ),
    ).toBe(3);
  });

  it('returns null for a straight line and a flat curve', () => {
    expect(
      elbowK(
        ks,
        ks.map((x) => 10 - x),
      ),
    ).toBeNull();
    expect(
      elbowK(
        ks,
        ks.map(() => 5),
      ),
    ).toBeNull();
  });

  it('handles the other curve/direction combinations like kneed', () => {
    // Values cross-checked against a line-by-line numpy/scipy port of kneed 0.8's find_knee.
    expect(
      findKnee(
        ks,
        ks.map((x) => x * x),
        { curve: 'convex', direction: 'increasing' },
      ).knee,
    ).toBe(5);
    expect(findKnee(ks, ks.map(Math.log), { curve: 'concave', direction: 'increasing' }).knee).toBe(4);
    expect(
      findKnee(
        ks,
        ks.map((x) => 100 - x * x),
        { curve: 'concave', direction: 'decreasing' },
      ).knee,
    ).toBe(6);
    expect(
      elbowK(
        ks,
        ks.map((x) => Math.exp(-x)),
      ),
    ).toBe(3);
  });

  it('rejects non-increasing x', () => {
    expect(() => findKnee([1, 1, 2], [3, 2, 1])).toThrow();
  });
});
