// Loaded before every test file (see .mocharc.json).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
process.env.AC_OPTS = "no-reg";
