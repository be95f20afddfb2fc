import fc from "fast-check";

// Property tests explore new random cases on every local run; CI replays a fixed seed so that a
// submission's result does not depend on luck. Set FC_SEED to replay a reported counterexample.
const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : process.env.CI ? 20261126 : undefined;
if (seed !== undefined) fc.configureGlobal({ seed });
