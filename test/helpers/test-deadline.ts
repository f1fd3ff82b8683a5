import type { Context, Runnable } from "mocha";

/**
 * The running test's own bound: waits in tests (`waitFor`, `Harness.drained`) last until their
 * condition holds or until shortly before mocha's timeout of the running test would end it, never for
 * a fixed time of their own, so that a loaded machine only makes them slower (issue 14, section 3).
 * Set by the root hooks of test/setup.ts (`mochaHooks`).
 */
let running: { test: Runnable; startedAt: number } | null = null;

/** What a wait outside a test (a `before` hook) allows: the hook's own mocha timeout ends it first. */
const OUTSIDE_A_TEST_MS = 10 * 60_000;
/** Time left for the wait's own message ("timed out waiting for …") before mocha's timeout fires. */
const MARGIN_MS = 1_000;

/** Epoch ms until which a wait may poll: the running test's mocha timeout (read now: `this.timeout()` in the body counts). */
export function waitDeadline(now = Date.now()): number {
  if (!running) return now + OUTSIDE_A_TEST_MS;
  const timeout = running.test.timeout();
  if (!timeout || timeout >= 2 ** 31 - 1) return Number.POSITIVE_INFINITY; // --no-timeout
  return running.startedAt + timeout - MARGIN_MS;
}

/** Root hooks (mocha's root hook plugin, exported by test/setup.ts). */
export const mochaHooks = {
  beforeEach(this: Context): void {
    const test = this.currentTest;
    if (!test?.fn) return void (running = null);
    const state = { test: test as Runnable, startedAt: Date.now() };
    running = state;
    // Mocha's timer starts with the test's body, after the suites' own beforeEach hooks (which may
    // be slow on a loaded machine): the bound counts from there too. `async` was read at definition.
    const body = test.fn;
    test.fn = function (this: Context, ...args: unknown[]) {
      state.startedAt = Date.now();
      test.fn = body;
      return (body as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof body;
  },
  afterEach(): void {
    running = null;
  },
};
