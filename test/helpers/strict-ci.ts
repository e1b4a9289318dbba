import { existsSync } from 'node:fs';

/**
 * Whether this is a strict run, CI's: a test that cannot run on this machine then fails with the
 * reason instead of skipping. `.ci/run` exports CI=true; any other value CI services use ("1",
 * "True", a name) counts too, and only an unset, empty, "0" or "false" CI is a developer's machine.
 * Every test that may skip asks here, so no two guards can disagree.
 */
export function strictCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/**
 * describe() for tests that need something a machine may lack (root, network namespaces, a Debian
 * client); `missing` says what, or is undefined when all is there. In a strict run every test in the
 * block fails with that reason; on a developer's machine the block is skipped with a warning. This
 * is the one skip in the suite, and lint refuses any other.
 */
export function describeIfAble(name: string, missing: string | undefined, fn: () => void): void {
  if (missing && !strictCi()) {
    console.warn(`${name}: skipped, ${missing}; a strict run (CI=true) fails instead`);
    // eslint-disable-next-line jest/no-disabled-tests -- only where strictCi() is false, with the reason printed
    describe.skip(name, fn);
    return;
  }
  describe(name, () => {
    // Declared first, so it runs before the block's own hooks build anything.
    beforeAll(() => {
      if (missing) throw new Error(`${name}: ${missing}`);
    });
    fn();
  });
}

/** What describeIfAble() needs to know of a tool from Debian: undefined when every path exists. */
export function missingFiles(...paths: string[]): string | undefined {
  const gone = paths.filter((p) => !existsSync(p));
  return gone.length === 0 ? undefined : `${gone.join(' and ')} not found (scripts/test-deps.sh installs it)`;
}
