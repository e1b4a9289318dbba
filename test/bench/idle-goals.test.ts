// The idle benchmark's section judges its goal from the run's own numbers.
import { GOAL, idleGoal } from '../../bench/idle-ladder';

test('a median at or past the goal is met', () => {
  expect(idleGoal('with the lease, ticks billed by their duration', [250_000, 300_000, 20_000])).toBe('- with the lease, ticks billed by their duration: met (250,000×).');
  expect(idleGoal('x', [GOAL, GOAL])).toBe('- x: met (10,000×).');
});

test('a median below the goal is not met; under a per-execution minimum it names the targets that would share it enough', () => {
  // 42 ticks at 1 s for 12 results: 3.5 s per result, 531× a 1,860 s invocation; 19 targets divide it by 19.
  expect(idleGoal('Flex', [531.4, 531.4, 520], 1000, 42, 12)).toBe(
    '- Flex: **not met** (531×): every tick is billed the minimum whatever it does, so the minimum, not the work, sets the cost. The targets of a region share the ticks: at 19 targets with the default ladder, while a tick stays under 1000 ms, the minimum per result reaches the goal.',
  );
  expect(idleGoal('x', [9_999])).toBe('- x: **not met** (9,999×).');
});
