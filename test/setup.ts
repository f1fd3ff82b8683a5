// Loaded before every test file (see .mocharc.json).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
process.env.AC_OPTS = "no-reg";
process.setMaxListeners(400); // every app instance adds ACE's unhandledRejection listener (suites start a few hundred)

// Waits in tests are bounded by the running test's mocha timeout (test/helpers/test-deadline.ts).
export { mochaHooks } from "./helpers/test-deadline";
