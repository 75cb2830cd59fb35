import { execFileSync } from 'node:child_process';

/** The CLI tests run the real bin/clbench.js, which loads dist/: build it once per test run. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
