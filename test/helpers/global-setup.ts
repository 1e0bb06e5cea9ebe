/** Runs once before all test files: nothing to build (tests run the TypeScript through tsx). */
export default function setup(): void {}
