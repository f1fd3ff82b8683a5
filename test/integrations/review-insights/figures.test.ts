import assert from "node:assert/strict";
import { ageDistribution, DAY_MS, durationStat, quantile, weekStartOf, weeklyFigures } from "../../../src/integrations/review-insights/figures";

describe("review insights figures", () => {
  it("median and p90 interpolate linearly between ranks (type 7)", () => {
    assert.equal(quantile([1, 2, 3, 4], 0.5), 3); // 2.5 rounded to a whole ms
    assert.equal(quantile([10, 20, 30, 40], 0.5), 25);
    assert.equal(quantile([10, 20, 30, 40], 0.9), 37);
    assert.equal(quantile([7], 0.9), 7);
    assert.equal(quantile([], 0.5), null);
    assert.deepEqual(durationStat([30, 1, 8, 2, 4]), { count: 5, medianMs: 4, p90Ms: 21 }); // 21.2 rounded
    assert.deepEqual(durationStat([]), { count: 0, medianMs: null, p90Ms: null });
  });

  it("weeks start on Monday 00:00 UTC and every week of the window is listed, empty ones too", () => {
    const sunday = Date.parse("2026-11-29T23:59:00Z");
    assert.equal(new Date(weekStartOf(sunday)).toISOString(), "2026-11-23T00:00:00.000Z");
    assert.equal(new Date(weekStartOf(Date.parse("2026-11-30T00:00:00Z"))).toISOString(), "2026-11-30T00:00:00.000Z");
    const to = Date.parse("2026-11-30T12:00:00Z");
    const weeks = weeklyFigures(to - 14 * DAY_MS, to, [{ at: Date.parse("2026-11-24T10:00:00Z"), ms: 5 }], []);
    assert.deepEqual(weeks.map((w) => w.weekStart), ["2026-11-16", "2026-11-23", "2026-11-30"]);
    assert.deepEqual(weeks.map((w) => w.firstReview.count), [0, 1, 0]);
  });

  it("sorts open-PR ages into buckets by their upper bound (exclusive)", () => {
    const counts = ageDistribution([0, DAY_MS - 1, DAY_MS, 7 * DAY_MS, 28 * DAY_MS, 400 * DAY_MS]).map((b) => b.count);
    assert.deepEqual(counts, [2, 1, 0, 1, 0, 2]);
  });
});
