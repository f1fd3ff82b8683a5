import assert from "node:assert/strict";
import { dueSlots, isSlot, localTime } from "../../../src/integrations/review-radar/schedule";
import { ReviewRadarSettingsSchema } from "../../../src/integrations/review-radar/settings";

const base = ReviewRadarSettingsSchema.parse({});
const at = (iso: string) => Date.parse(iso);

describe("review radar: schedules, working hours and time zones", () => {
  it("has defaults that parse from {} and refuses bad documents", () => {
    assert.equal(base.enabled, false);
    assert.equal(base.requiredApprovals, 2);
    assert.deepEqual(base.times, ["09:30"]);
    assert.equal(base.timeZone, "UTC");
    assert.equal(ReviewRadarSettingsSchema.safeParse({ timeZone: "Mars/Olympus" }).success, false);
    assert.equal(ReviewRadarSettingsSchema.safeParse({ times: ["25:00"] }).success, false);
    assert.equal(ReviewRadarSettingsSchema.safeParse({ times: ["19:00"] }).success, false, "a set time outside working hours");
    assert.equal(ReviewRadarSettingsSchema.safeParse({ ageWarnDays: 5, ageAlertDays: 3 }).success, false);
    assert.equal(ReviewRadarSettingsSchema.safeParse({ slackWebhookUrl: "https://evil.example/services/x" }).success, false);
    assert.equal(ReviewRadarSettingsSchema.safeParse({ slackWebhookUrl: "http://hooks.slack.com/services/T/B/x" }).success, false, "https only");
    assert.equal(ReviewRadarSettingsSchema.safeParse({ slackWebhookUrl: "https://hooks.slack.com/services/T/B/x" }).success, true);
    assert.equal(ReviewRadarSettingsSchema.safeParse({ teamsWebhookUrl: "https://prod-01.westeurope.logic.azure.com/workflows/abc" }).success, true);
    assert.equal(ReviewRadarSettingsSchema.safeParse({ googleChatWebhookUrl: "https://chat.googleapis.com/v1/spaces/AAA/messages?key=k" }).success, true);
    assert.equal(ReviewRadarSettingsSchema.safeParse({ unknown: 1 }).success, false);
  });

  it("reads wall-clock time in a zone, including half-hour offsets", () => {
    assert.deepEqual(localTime(at("2026-03-02T08:30:00Z"), "Europe/Paris"), { date: "2026-03-02", weekday: 1, time: "09:30" });
    assert.deepEqual(localTime(at("2026-03-02T04:00:00Z"), "Asia/Kolkata"), { date: "2026-03-02", weekday: 1, time: "09:30" });
    assert.deepEqual(localTime(at("2026-03-02T03:00:00Z"), "America/New_York"), { date: "2026-03-01", weekday: 7, time: "22:00" });
  });

  it("fires set times on working days in the repository's zone only", () => {
    const s = { ...base, timeZone: "Europe/Paris", times: ["09:30", "14:00"] };
    const monday = dueSlots(at("2026-03-01T23:00:00Z"), at("2026-03-02T22:59:00Z"), s);
    assert.deepEqual(monday.map((x) => x.key), ["2026-03-02T09:30 Europe/Paris", "2026-03-02T14:00 Europe/Paris"]);
    assert.equal(monday[0]!.at, at("2026-03-02T08:30:00Z"));
    const saturday = dueSlots(at("2026-03-06T23:00:00Z"), at("2026-03-07T22:59:00Z"), s);
    assert.deepEqual(saturday, []);
  });

  it("fires hourly within working hours (start inclusive, end exclusive)", () => {
    const s = { ...base, schedule: "hourly" as const, timeZone: "America/New_York", workdayStart: "09:00", workdayEnd: "12:00" };
    const slots = dueSlots(at("2026-03-03T05:00:00Z"), at("2026-03-03T20:00:00Z"), s);
    assert.deepEqual(slots.map((x) => x.key.slice(11, 16)), ["09:00", "10:00", "11:00"]);
    assert.equal(slots[0]!.at, at("2026-03-03T14:00:00Z"), "09:00 EST is 14:00 UTC");
  });

  it("follows daylight saving: 09:30 in Paris is 08:30 UTC in March and 07:30 UTC after the change", () => {
    const s = { ...base, timeZone: "Europe/Paris" };
    const before = dueSlots(at("2026-03-27T00:00:00Z"), at("2026-03-27T23:00:00Z"), s);
    const after = dueSlots(at("2026-03-30T00:00:00Z"), at("2026-03-30T23:00:00Z"), s);
    assert.equal(new Date(before[0]!.at).toISOString(), "2026-03-27T08:30:00.000Z");
    assert.equal(new Date(after[0]!.at).toISOString(), "2026-03-30T07:30:00.000Z");
  });

  it("honours custom weekdays (a Sunday-to-Thursday week)", () => {
    const s = { ...base, timeZone: "Asia/Jerusalem", weekdays: [7, 1, 2, 3, 4] };
    assert.equal(isSlot({ date: "2026-03-06", weekday: 5, time: "09:30" }, s), false);
    assert.equal(isSlot({ date: "2026-03-08", weekday: 7, time: "09:30" }, s), true);
    assert.equal(isSlot({ date: "2026-03-08", weekday: 7, time: "08:30" }, s), false, "before working hours is not a set time anyway");
  });
});
